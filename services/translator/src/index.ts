// The translator service: consumes accepted events per destination type, delivers them to each
// connected destination instance, retries through delay-tier topics and dead-letters the rest.
export { startTranslator, type StartTranslatorOptions, type RunningTranslator } from './start-translator';
export { DEFAULT_SETTINGS, DEFAULT_RETRY_DELAYS, translatorSettings, type TranslatorSettings } from './settings';
export { loadTranslatorConfig, settingsFromConfig, translatorConfigShape, type TranslatorConfig } from './config';
export { TranslatorNames, type RetryTier } from './topics';
export { parseDuration, formatDuration } from './duration';
export { planRetry, type RetryPlan } from './retry/backoff';
export { RETRY_HEADERS, decodeRetryMessage, encodeRetryMessage, type PendingRetry } from './retry/retry-message';
export { DEAD_LETTER_HEADERS, type DeadLetterRecord, type DeadLetterCause } from './reports/dead-letter';
export { TRANSLATOR_FILTER_REASONS } from './pipeline/type-processor';
export { MessageClaims, type ClaimRequest } from './dedup/claims';
