import type { DeadLetterServiceServer, EventTraceServiceServer, ReplayServiceServer } from '@manifold/proto';
import { ControlPlaneError } from '../domain/errors';
import type { Operations } from '../operations/start-operations';
import { unary, type HandlerDeps } from './call-handler';

/** Dead letters, replays and traces read the data plane's Kafka: without KAFKA_BROKERS they answer this. */
export function needed(operations: Operations | undefined): Operations {
  if (!operations) {
    throw ControlPlaneError.failedPrecondition(
      'dead letters, replays and traces need the data plane: start the control plane with KAFKA_BROKERS',
    );
  }
  return operations;
}

export function deadLetterService(operations: Operations | undefined, deps: HandlerDeps): DeadLetterServiceServer {
  return {
    listDeadLetters: unary('ListDeadLetters', deps, (req) => needed(operations).redrives.listDeadLetters(req)),
    getDeadLetter: unary('GetDeadLetter', deps, (req) => needed(operations).redrives.getDeadLetter(req)),
    startRedrive: unary('StartRedrive', deps, (req, ctx) => needed(operations).redrives.start(req, ctx)),
    getRedrive: unary('GetRedrive', deps, (req) => needed(operations).redrives.get(req.workspace, req.id)),
    listRedrives: unary('ListRedrives', deps, (req) => needed(operations).redrives.list(req)),
    stopRedrive: unary('StopRedrive', deps, (req, ctx) => needed(operations).redrives.stop(req.workspace, req.id, ctx)),
  };
}

export function replayService(operations: Operations | undefined, deps: HandlerDeps): ReplayServiceServer {
  return {
    startReplay: unary('StartReplay', deps, (req, ctx) => needed(operations).replays.start(req, ctx)),
    getReplay: unary('GetReplay', deps, (req) => needed(operations).replays.get(req.workspace, req.id)),
    listReplays: unary('ListReplays', deps, (req) => needed(operations).replays.list(req)),
    cancelReplay: unary('CancelReplay', deps, (req, ctx) =>
      needed(operations).replays.cancel(req.workspace, req.id, ctx),
    ),
  };
}

export function eventTraceService(operations: Operations | undefined, deps: HandlerDeps): EventTraceServiceServer {
  return {
    getEventTrace: unary('GetEventTrace', deps, (req) => needed(operations).traces.get(req)),
  };
}
