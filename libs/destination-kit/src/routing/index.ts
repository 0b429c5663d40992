export { integrationsDrop, integrationOptions } from './integrations';
export { applyDestinationFilters, type FilterOptions, type FilterResult } from './filters';
