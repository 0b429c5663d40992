import { coerce, type Notices } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import type { CompanyPlan } from './continuation';
import { customAttributesFrom } from './custom-attributes';

// A company from Spec company traits (a group's traits, or `traits.company` of an identify):
// Intercom's standard company fields, every other trait a custom attribute. Values of another
// type are converted when lossless (employees as "40"); a field that cannot be is left out with
// a notice under `prefix` ("company." for traits.company).

/** Traits sent through the company's own fields. */
const MAPPED_TRAITS = [
  'id',
  'company_id',
  'name',
  'plan',
  'employees',
  'employee_count',
  'size',
  'website',
  'industry',
  'monthly_spend',
  'monthlySpend',
  'createdAt',
  'created_at',
];

export function companyFields(
  companyId: string,
  traits: Record<string, unknown>,
  prefix: string,
  notices: Notices,
): CompanyPlan {
  const text = (key: string) => notices.coerce(`${prefix}${key}`, traits[key], coerce.string);
  const first = (...keys: string[]) => keys.find((key) => traits[key] !== undefined && traits[key] !== null);
  const sizeKey = first('employees', 'employee_count', 'size') ?? 'employees';
  const spendKey = first('monthly_spend', 'monthlySpend') ?? 'monthly_spend';
  const createdKey = first('createdAt', 'created_at') ?? 'createdAt';
  const created = notices.coerce(`${prefix}${createdKey}`, traits[createdKey], coerce.timestamp);
  return {
    company: compact({
      company_id: companyId,
      name: text('name'),
      plan: text('plan'),
      size: notices.coerce(`${prefix}${sizeKey}`, traits[sizeKey], coerce.integer),
      website: text('website'),
      industry: text('industry'),
      monthly_spend: notices.coerce(`${prefix}${spendKey}`, traits[spendKey], coerce.number),
      remote_created_at: created ? Math.floor(Date.parse(created) / 1000) : undefined,
    }),
    customAttributes: customAttributesFrom(traits, MAPPED_TRAITS, 'company', `${prefix}custom_attributes`, notices),
  };
}
