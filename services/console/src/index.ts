export { startConsole, type StartConsoleOptions, type RunningConsole } from './start-console';
export { loadConsoleConfig, consoleConfigShape, type ConsoleConfig } from './config';
export { buildOpenApiDocument } from './api/openapi';
export { apiRoutes } from './api/routes';
export { analyticsSnippet } from './shared/snippet';
