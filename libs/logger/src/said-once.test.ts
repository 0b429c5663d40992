import { SaidOnce } from './said-once';

describe('SaidOnce', () => {
  it('says a problem once per reason, and again once it was gone and came back', () => {
    const said = new SaidOnce();
    expect(said.first('model-1', 'bad cron')).toBe(true);
    expect(said.first('model-1', 'bad cron')).toBe(false);
    expect(said.first('model-2', 'bad cron')).toBe(true);
    expect(said.first('model-1', 'another reason')).toBe(true);
    said.gone('model-1');
    expect(said.first('model-1', 'another reason')).toBe(true);
    said.keepOnly(new Set(['model-1']));
    expect(said.first('model-1', 'another reason')).toBe(false);
    expect(said.first('model-2', 'bad cron')).toBe(true);
  });
});
