// Sending a destination's requests over HTTP and reading the answers, the one way the translator
// and the control plane's mapping tester do it. See README.md.
export { HttpSender, type HttpSenderOptions } from './http-sender';
export { redirectedRequest, MAX_REDIRECTIONS } from './redirects';
export { attemptRequest, type Attempt, type Exchange } from './attempt';
export { sendFlow, MAX_FLOW_STEPS, type FlowResult, type FlowPart } from './flow';
export { AddressPolicy, BlockedAddressError, DEFAULT_BLOCKED_NETWORKS } from './address-policy';
export { destinationNetworkConfigShape } from './network-config';
