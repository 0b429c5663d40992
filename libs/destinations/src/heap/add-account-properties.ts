import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { record } from '../common/fields';
import { bulkAction } from './bulk';
import { heapProperties } from './properties';
import { heapSettings } from './settings';

// Group calls: the group's traits as properties of the Heap account whose id is the groupId
// (Heap needs its Account ID setting configured to take them; otherwise it answers 400).

const fields = z.object({
  accountId: z.string().min(1),
  traits: record(),
});

export const addAccountProperties = defineAction(heapSettings, {
  title: 'Add account properties',
  description: 'Sets the traits of group calls as properties of the Heap account (the groupId).',
  fields,
  defaultMapping: {
    accountId: { '@path': '$.groupId' },
    traits: { '@path': '$.traits' },
  },
  ...bulkAction(fields, (payload, notices) => ({
    accounts: { account_id: payload.accountId, properties: heapProperties(payload.traits, 'properties', notices) },
  })),
});
