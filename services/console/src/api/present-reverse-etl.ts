// Reverse ETL's control-plane messages as the Public API's JSON.
import type * as proto from '@manifold/proto';
import type { z } from 'zod';
import { fromMessage } from './from-message';
import * as models from './reverse-etl-models';

export function presentModel(m: proto.ReverseEtlModel): z.input<typeof models.ReverseEtlModel> {
  return fromMessage(models.ReverseEtlModel, m);
}

export function presentConnection(c: proto.ReverseEtlConnection): z.input<typeof models.ReverseEtlConnection> {
  return fromMessage(models.ReverseEtlConnection, c);
}

export function presentRun(r: proto.ReverseEtlRun): z.input<typeof models.ReverseEtlRun> {
  return fromMessage(models.ReverseEtlRun, r);
}
