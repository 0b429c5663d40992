import {
  buildRequests,
  compileFql,
  describeNotice,
  integrationsDrop,
  isReverseEtlMapping,
  isUnsupported,
  mapPayload,
  maskRequest,
  Notices,
  outcomeOfError,
  parseSettings,
  secretMasker,
  type DestinationDefinition,
  type DestinationSettingsSchema,
  type FieldNotice,
  type InstanceMapping,
  type ParsedSettings,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import type { Logger } from '@manifold/logger';
import type { HttpSender } from '@manifold/destination-http';
import { destinationById } from '@manifold/destinations';
import { reverseEtlContextOf, type SpecEvent } from '@manifold/events';
import { openSettings, type SecretBox } from '@manifold/secrets';
import type { TestDestinationRequest, TestDestinationResponse, TestedMapping, TestProblem } from '@manifold/proto';
import type { Catalog } from './catalog';
import type { CallContext } from './context';
import { ControlPlaneError } from './errors';
import type { DestinationMappings } from './mappings';
import { requestSample } from './http-samples';
import { testEvent } from './test-event';
import { sendTestRequests, type TestedRequests } from './test-send';
import type { DeliveryCounters } from './delivery-counters';

/**
 * The mapping tester: what an instance's mappings (saved, or a draft) make of one event, the
 * exact requests they become (every credential masked by the kit's `maskRequest`), and, when
 * asked, what the destination answers to them with the instance's real settings and how the
 * translator would classify that. Nothing here is stored but the count of test requests.
 */
export class DestinationTester {
  constructor(
    private readonly catalog: Catalog,
    private readonly box: SecretBox,
    private readonly mappings: DestinationMappings,
    private readonly counters: DeliveryCounters,
    private readonly sender: HttpSender,
    /** For the destinations that send through a client of their own (made per test, then closed). */
    private readonly logger: Logger,
  ) {}

  async test(req: TestDestinationRequest, ctx: CallContext): Promise<TestDestinationResponse> {
    const event = testEvent(req.event, ctx.now);
    const { doc, mappings } = await this.mappings.forTest(
      req.workspace,
      req.destination,
      req.draft ? req.mappings : undefined,
    );
    const destination = destinationById(doc.catalogId);
    if (!destination) {
      throw ControlPlaneError.failedPrecondition(`${doc.type} has no destination definition to test with`);
    }
    const notices: TestProblem[] = [];
    if (!doc.enabled) notices.push({ path: '', message: 'the destination is disabled: events are not sent to it now' });
    if (doc.filters.some((f) => f.enabled)) {
      notices.push({ path: '', message: "destination filters are not applied: they belong to a source's connection" });
    }
    const settings = parseSettings(
      destination,
      openSettings(doc.settings, this.catalog.secrets(doc.catalogId), this.box),
    );
    const parsed = settings.ok ? settings.settings : undefined;
    const rowChange = isRowChange(event);
    const tried = mappings.map((mapping, index) => tryMapping(destination, mapping, index, event, parsed, rowChange));
    for (const t of tried) notices.push(...t.notices);
    const response: TestDestinationResponse = {
      mappings: tried.map((t) => t.tested),
      notices,
      sent: [],
      filteredMessage: '',
    };
    const filtered = settings.ok
      ? filteredReason(destination, doc.type, event, tried)
      : { reason: settings.outcome.reason, message: settings.outcome.message };
    if (filtered) {
      response.filteredReason = filtered.reason;
      response.filteredMessage = filtered.message;
    }
    if (req.send && parsed && !filtered) {
      const shown = tried.map((t) => t.performed.size);
      // A destination with its own transport (Kafka) connects for this test alone.
      const policy = this.sender.addressPolicy;
      const transport = destination.transport?.({ logger: this.logger, ...(policy && { addressPolicy: policy }) });
      try {
        const context = { instanceId: String(doc._id), settings: parsed };
        response.sent = await sendTestRequests(transport ?? this.sender, destination, parsed, tried, context);
      } finally {
        await transport?.close();
      }
      for (const sent of response.sent) await this.counters.recordTest(doc, sent.outcome, ctx.now);
      // What the steps of a flow left out or converted, once they had read their answers.
      tried.forEach((t, i) => notices.push(...noticesOf(t.tested.index, t.performed.list.slice(shown[i]))));
    }
    return response;
  }
}

interface TriedMapping extends TestedRequests {
  tested: TestedMapping;
  notices: TestProblem[];
}

/**
 * Whether the translator would take the event as a Reverse ETL row change. The tester has no
 * source: an event tagged as a model's row change (`context.reverseEtl`) is taken as that model's.
 */
function isRowChange(event: SpecEvent): boolean {
  const tag = event.context.reverseEtl;
  const modelId = typeof tag === 'object' && tag !== null ? (tag as Record<string, unknown>)['modelId'] : undefined;
  return typeof modelId === 'string' && reverseEtlContextOf(event, modelId) !== undefined;
}

/**
 * One mapping against the event: trigger, payload, requests; problems at their paths. As in the
 * translator, a row change runs only Reverse ETL connections' mappings, and those run nothing else.
 */
function tryMapping<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  mapping: InstanceMapping,
  index: number,
  event: ReturnType<typeof testEvent>,
  settings: ParsedSettings<S> | undefined,
  rowChange: boolean,
): TriedMapping {
  const tested: TestedMapping = {
    index,
    id: mapping.id,
    name: mapping.name,
    action: mapping.action,
    enabled: mapping.enabled,
    matched: false,
    errors: [],
    requests: [],
  };
  const tried: TriedMapping = { tested, notices: [], requests: [], performed: new Notices() };
  if (isReverseEtlMapping(mapping) !== rowChange) {
    tried.notices.push({
      path: `mappings[${index}]`,
      message: rowChange
        ? "not run: a Reverse ETL row change runs only its connections' mappings"
        : "not run: a Reverse ETL connection's mapping runs only its model's row changes",
    });
    return tried;
  }
  const trigger = compileFql(mapping.trigger);
  if (!trigger.ok) {
    tested.errors.push({ path: 'trigger', message: trigger.error });
    return tried;
  }
  tested.matched = trigger.matches(event);
  if (!tested.matched) return tried;
  let mapped;
  try {
    mapped = mapPayload(destination, mapping.action, mapping.fields, event, { reverseEtl: rowChange });
  } catch (error) {
    tested.errors.push({ path: 'fields', message: error instanceof Error ? error.message : String(error) });
    return tried;
  }
  if (!mapped.ok) {
    tested.errors.push(
      ...mapped.issues.map((i) => ({ path: i.path ? `fields.${i.path}` : 'fields', message: i.message })),
    );
    return tried;
  }
  tested.payload = mapped.payload;
  tried.notices.push(...noticesOf(index, mapped.notices));
  if (!settings) return tried;
  try {
    tried.requests = buildRequests(destination, mapping.action, [mapped.payload], settings, [tried.performed]);
  } catch (error) {
    const outcome = outcomeOfError(error);
    const message = 'message' in outcome ? `${outcome.reason}: ${outcome.message}` : outcome.kind;
    tested.errors.push({ path: 'requests', message: secretMasker(destination, settings).text(message) });
  }
  tried.notices.push(...noticesOf(index, tried.performed.list));
  tested.requests = tried.requests.map((r: RequestDescriptor) => requestSample(maskRequest(r)));
  return tried;
}

/** Fields a mapping's payload or requests left out or converted, as the tester lists them. */
function noticesOf(index: number, list: readonly FieldNotice[]): TestProblem[] {
  return list.map((n) => ({ path: `mappings[${index}]`, message: describeNotice(n) }));
}

/** Why nothing would be sent: the integrations object, or no enabled mapping matched. */
function filteredReason(
  destination: DestinationDefinition,
  catalogName: string,
  event: ReturnType<typeof testEvent>,
  tried: readonly TriedMapping[],
): { reason: string; message: string } | undefined {
  const excluded = integrationsDrop(event, catalogName);
  if (excluded) return { reason: excluded.reason, message: excluded.message };
  if (tried.some((t) => t.tested.enabled && t.tested.matched)) return undefined;
  const route = destination.routes[event.type];
  if (isUnsupported(route)) return { reason: 'UNSUPPORTED_EVENT_TYPE', message: route.unsupported };
  return { reason: 'NO_MATCHING_MAPPING', message: `no mapping matched this ${event.type} event` };
}
