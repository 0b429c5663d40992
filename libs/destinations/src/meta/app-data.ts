import { DropEventError, isPlainObject } from '@manifold/destination-kit';

// app_data of app events, from the Spec's app context: Meta wants `extinfo` as a list of 16
// strings in a fixed order (missing slots as ""), of which the platform (slot 0) and the OS
// version (slot 4) are required, and the two tracking flags.

const at = (object: unknown, ...path: string[]): unknown => {
  let value = object;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';

export function appData(context: Record<string, unknown>): Record<string, unknown> {
  const osVersion = text(at(context, 'os', 'version'));
  if (osVersion === '') {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Meta app events need app_data.extinfo[4], the OS version (context.os.version)',
    );
  }
  const os = text(at(context, 'os', 'name')).toLowerCase();
  const extinfo = [
    os === 'ios' || os === 'ipados' || os === 'iphone os' ? 'i2' : 'a2',
    text(at(context, 'app', 'namespace')),
    text(at(context, 'app', 'version')),
    text(at(context, 'app', 'build')),
    osVersion,
    text(at(context, 'device', 'model')),
    text(context['locale']),
    '',
    text(at(context, 'network', 'carrier')),
    text(at(context, 'screen', 'width')),
    text(at(context, 'screen', 'height')),
    text(at(context, 'screen', 'density')),
    '',
    '',
    '',
    text(context['timezone']),
  ];
  // Without the device's answer, tracking counts as not allowed: the cautious reading of consent.
  const tracking = at(context, 'device', 'adTrackingEnabled') === true;
  return { advertiser_tracking_enabled: tracking, application_tracking_enabled: tracking, extinfo };
}
