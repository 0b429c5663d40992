import { provisionInfrastructure, type Provisioned } from './provision';

declare global {
  var __manifoldInfrastructure: Provisioned | undefined;
}

export default async function globalSetup(): Promise<void> {
  const provisioned = await provisionInfrastructure(process.env);
  globalThis.__manifoldInfrastructure = provisioned;
  const summary = Object.entries(provisioned.how)
    .map(([service, how]) => `${service}: ${how}`)
    .join(', ');
  process.stderr.write(`\ntest infrastructure: ${summary}\n`);
}
