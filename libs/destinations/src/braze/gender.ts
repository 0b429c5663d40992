// Braze genders are single letters (M, F, O, N, P); Segment maps common words to them and passes
// anything else through (Braze then rejects it with a reason).
const GENDERS: Record<string, string[]> = {
  M: ['man', 'male', 'm'],
  F: ['woman', 'female', 'w', 'f'],
  O: ['other', 'o'],
  N: ['not applicable', 'n'],
  P: ['prefer not to say', 'p'],
};

export function brazeGender(gender: string): string {
  const lower = gender.toLowerCase();
  return Object.keys(GENDERS).find((code) => GENDERS[code]?.includes(lower)) ?? gender;
}
