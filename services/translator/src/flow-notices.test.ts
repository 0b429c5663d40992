// Fields left out by a later step of a multi-request flow (Intercom learns only from the
// workspace's answer which custom attributes it can write) are counted like those of the first
// step: per destination instance and reason, for the delivered event — also when the flow carries a
// batch (SendGrid's field definitions read once for many contacts). Real Kafka, FerretDB and the
// Intercom and SendGrid emulators.
import { IntercomEmulator, SendgridEmulator } from '@manifold/emulators';
import {
  destination,
  publishEvents,
  snapshot,
  startTestTranslator,
  trackEvent,
  waitFor,
  waitForReports,
  type TestTranslator,
} from './test-support/harness';

describe('translator notices of multi-request flows', () => {
  let ic: IntercomEmulator;
  let t: TestTranslator;

  beforeAll(async () => {
    ic = await new IntercomEmulator({
      accessToken: 'ic-token',
      dataAttributes: { contact: { seats: 'integer' } },
    }).start();
    t = await startTestTranslator({
      snapshot: snapshot([
        destination({
          id: 'ic',
          catalogId: 'intercom',
          catalogName: 'Intercom',
          // Without creating attributes, a trait Intercom has no attribute for cannot be written.
          settings: { accessToken: 'ic-token', apiBaseUrl: ic.baseUrl, createCustomAttributes: false },
        }),
      ]),
      settings: { destinationTypes: ['intercom'] },
    });
  });

  afterAll(async () => {
    await t?.close();
    await ic?.close();
  });

  it('counts what the follow-up steps left out and converted, and delivers the rest', async () => {
    const identify = trackEvent(1, {
      type: 'identify',
      userId: 'user-77',
      traits: { email: 'ann@example.com', seats: '12', plan: 'pro' },
    });
    delete identify.event;
    delete identify.properties;
    await publishEvents(t.kafka, t.settings.eventsTopic, [identify]);
    await waitFor(() => ic.contactByExternalId('user-77') !== undefined, 20000, 'the Intercom contact');
    expect(ic.contactByExternalId('user-77')).toMatchObject({
      email: 'ann@example.com',
      custom_attributes: { seats: 12 },
    });

    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['ic|delivered|'] ?? 0) >= 1,
    );
    expect(counts).toEqual({
      'ic|delivered|': 1,
      'ic|field_converted|custom_attributes.seats: string to number': 1,
      'ic|field_dropped|custom_attributes.plan: no such custom attribute in Intercom (creating them is turned off)': 1,
    });
  }, 60000);
});

describe('translator notices of a batched multi-request flow', () => {
  let sg: SendgridEmulator;
  let t: TestTranslator;

  beforeAll(async () => {
    sg = await new SendgridEmulator({
      apiKey: 'SG.key',
      customFields: [{ id: 'e1_N', name: 'seats', field_type: 'Number' }],
    }).start();
    t = await startTestTranslator({
      snapshot: snapshot([
        destination({
          id: 'sg',
          catalogId: 'sendgrid',
          catalogName: 'SendGrid Marketing Campaigns',
          settings: { apiKey: 'SG.key', apiBaseUrl: sg.baseUrl, createCustomFields: false },
        }),
      ]),
      settings: { destinationTypes: ['sendgrid'] },
    });
  });

  afterAll(async () => {
    await t?.close();
    await sg?.close();
  });

  it('counts what the field-definitions step left out of each contact against that contact’s event', async () => {
    // One user, so the three share a partition and are read, and batched, together.
    const identify = (n: number, traits: Record<string, unknown>) => {
      const event = trackEvent(n, {
        type: 'identify',
        userId: 'user-88',
        traits: { email: 'bo@example.com', ...traits },
      });
      delete event.event;
      delete event.properties;
      return event;
    };
    await publishEvents(t.kafka, t.settings.eventsTopic, [
      identify(1, { seats: '12' }),
      identify(2, { seats: 'many' }),
      identify(3, { plan: 'pro' }),
    ]);
    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['sg|delivered|'] ?? 0) >= 3,
    );
    const contacts = sg.requests
      .filter((r) => r.method === 'PUT' && r.status === 202)
      .map((r) => (JSON.parse(r.body) as { contacts: unknown[] }).contacts.length);
    expect(contacts).toEqual([3]); // one batch: the notices below came from a batched flow
    expect(counts).toEqual({
      'sg|delivered|': 3,
      'sg|field_converted|custom_fields.seats: string to number': 1,
      'sg|field_dropped|custom_fields.seats: not a number': 1,
      'sg|field_dropped|custom_fields.plan: no such custom field in SendGrid (creating them is turned off)': 1,
    });
  }, 60000);
});
