// Fields a destination leaves out or converts are counted per destination instance and reason in
// the delivery reports, for delivered events, without changing the events' outcome. Real Kafka,
// FerretDB and the Amplitude emulator (which batches, so notices are kept per event in a batch).
import { AmplitudeEmulator } from '@manifold/emulators';
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

describe('translator field notices', () => {
  let amp: AmplitudeEmulator;
  let t: TestTranslator;

  beforeAll(async () => {
    amp = await new AmplitudeEmulator({ apiKey: 'amp-key' }).start();
    t = await startTestTranslator({
      snapshot: snapshot([
        destination({
          id: 'amp',
          catalogId: 'amplitude',
          catalogName: 'Amplitude',
          settings: { apiKey: 'amp-key', apiBaseUrl: amp.baseUrl, userMapBaseUrl: amp.baseUrl },
        }),
      ]),
      settings: { destinationTypes: ['amplitude'] },
    });
  });

  afterAll(async () => {
    await t?.close();
    await amp?.close();
  });

  it('counts converted and dropped fields of delivered events per instance and reason', async () => {
    const located = (n: number, latitude: unknown, longitude: unknown) =>
      trackEvent(n, {
        event: 'Store Visited',
        context: { library: { name: 'analytics-node', version: '1' }, location: { latitude, longitude } },
      });
    const events = [
      located(1, '48.8566', 2.3522),
      located(2, '40.7128', '-74.006'),
      located(3, 'north', 2.35),
      located(4, 51.5, -0.12),
    ];
    await publishEvents(t.kafka, t.settings.eventsTopic, events);
    await waitFor(() => amp.events.length >= 4, 20000, 'Amplitude events');

    const byInsertId = new Map(amp.events.map((e) => [e['insert_id'], e]));
    expect(byInsertId.get(events[0]?.messageId)).toMatchObject({ location_lat: 48.8566, location_lng: 2.3522 });
    expect(byInsertId.get(events[1]?.messageId)).toMatchObject({ location_lat: 40.7128, location_lng: -74.006 });
    // The unreadable latitude alone is left out; the event and its longitude go through.
    expect(byInsertId.get(events[2]?.messageId)).toMatchObject({ location_lng: 2.35 });
    expect(byInsertId.get(events[2]?.messageId)).not.toHaveProperty('location_lat');

    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['amp|delivered|'] ?? 0) >= 4 && (c['amp|field_dropped|location_lat: not a number'] ?? 0) >= 1,
    );
    expect(counts).toEqual({
      'amp|delivered|': 4,
      'amp|field_converted|location_lat: string to number': 2,
      'amp|field_converted|location_lng: string to number': 1,
      'amp|field_dropped|location_lat: not a number': 1,
    });
  }, 60000);
});
