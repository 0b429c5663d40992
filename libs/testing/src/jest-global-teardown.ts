import './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__manifoldInfrastructure?.stop();
}
