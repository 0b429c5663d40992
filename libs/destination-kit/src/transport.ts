// How a destination's requests reach it. Most destinations speak HTTP and the translator sends
// their requests with its one HTTP client; a destination that is not an HTTP API (a Kafka
// cluster of the customer's) brings a transport of its own, which answers the same way, so
// classification, retries, dead letters, traces and the mapping tester stay one path.
import type { LookupFunction } from 'node:net';
import type { Logger } from '@manifold/logger';
import type { HttpResponseInfo, RequestDescriptor } from './request';

/** Which instance a request is for, and its parsed settings (a transport's connection details). */
export interface SendContext {
  instanceId: string;
  settings: Record<string, unknown>;
}

/**
 * Sends request descriptors and gives back the answer; rejects when there is none (the request
 * may not have arrived: classified like a network error). The translator's HTTP client is one.
 */
export interface RequestSender {
  send(request: RequestDescriptor, context: SendContext): Promise<HttpResponseInfo>;
  /** Forgets what it holds for an instance whose settings changed or that was removed. */
  release?(instanceId: string): Promise<void>;
  close(): Promise<void>;
}

export interface TransportContext {
  logger: Logger;
  /**
   * Addresses the destination's own connections may not reach (destination-http's AddressPolicy,
   * from DESTINATION_BLOCKED_NETWORKS): a refusal fails with BLOCKED_ADDRESS_CODE.
   */
  addressPolicy?: { lookup: LookupFunction; checkHost(host: string): void };
}

/** Makes a destination's own sender; one per translator process (or mapping tester), closed with it. */
export type TransportFactory = (context: TransportContext) => RequestSender;
