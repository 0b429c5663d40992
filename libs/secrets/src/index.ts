// How Manifold treats credentials: which settings hold them (read from the settings' JSON
// Schema), how they are sealed at rest (AES-256-GCM), and how they are masked in every read,
// record, trace and log. See README.md.
export { SecretBox, deriveKey, parseKey } from './cipher';
export { settingSecrets, type SecretKind, type SettingSecrets } from './kinds';
export { secret, secretValues } from './markers';
export { SECRET_MASK, SecretMasker } from './masker';
export {
  sealSettings,
  openSettings,
  openReadableSettings,
  type ReadableSettings,
  hasUnsealedSecrets,
  maskSettings,
  settingsMasker,
  mergeSettingsUpdate,
  type MergedSettings,
  type Settings,
} from './settings';
