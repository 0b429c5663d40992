// Fields left out by a later step of a multi-request flow (Intercom learns only from the
// workspace's answer which custom attributes it can write) are counted like those of the first
// step: per destination instance and reason, for the delivered event. Real Kafka, FerretDB and the
// Intercom emulator.
import { IntercomEmulator } from '@manifold/emulators';
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
