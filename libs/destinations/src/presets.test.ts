import { presetMappings, validateInstanceMappings } from '@manifold/destination-kit';
import { DESTINATIONS } from './index';

describe('presets as instance mappings', () => {
  it('every destination has presets, and they pass the validation a user mapping passes', () => {
    for (const destination of DESTINATIONS) {
      const presets = presetMappings(destination);
      expect([destination.id, presets.length > 0]).toEqual([destination.id, true]);
      const validation = validateInstanceMappings(destination, presets);
      expect([destination.id, validation.ok ? [] : validation.problems]).toEqual([destination.id, []]);
    }
  });
});
