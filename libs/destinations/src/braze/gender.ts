// Braze genders are single letters (M, F, O, N, P); Segment maps common words to them. Anything
// else has no letter (Braze would refuse the whole profile for it): undefined.
const GENDERS: Record<string, string[]> = {
  M: ['man', 'male', 'm'],
  F: ['woman', 'female', 'w', 'f'],
  O: ['other', 'o'],
  N: ['not applicable', 'n'],
  P: ['prefer not to say', 'p'],
};

export function brazeGender(gender: string): string | undefined {
  const lower = gender.trim().toLowerCase();
  return Object.keys(GENDERS).find((code) => GENDERS[code]?.includes(lower));
}
