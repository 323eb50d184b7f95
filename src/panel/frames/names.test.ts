import { uniqueNames } from './names';

describe('uniqueNames', () => {
  it.each([
    ['distinct names stay', [{ name: 'a', refId: 'A' }, { name: 'b', refId: 'A' }], ['a', 'b']],
    ['one name in two queries gets the refIds', [{ name: 'CDF', refId: 'A' }, { name: 'CDF', refId: 'B' }, { name: 'x', refId: 'B' }], ['CDF A', 'CDF B', 'x']],
    ['one name twice in one query is numbered', [{ name: 'v', refId: 'A' }, { name: 'v', refId: 'A' }], ['v', 'v #2']],
    ['a name made by adding the refId that another series has is numbered', [{ name: 'v', refId: 'A' }, { name: 'v', refId: 'B' }, { name: 'v A' }], ['v A', 'v B', 'v A #2']],
  ])('%s', (_n, input, want) => {
    expect(uniqueNames(input)).toEqual(want);
  });
});
