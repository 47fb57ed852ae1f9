import { describe, expect, it } from 'vitest';
import type { OperationSpec, OperationTable } from '@esikit/spec';
import { methodName, tagKey, tagMethodMap } from './emit-types.js';

function op(id: string, tag: string): OperationSpec {
  return {
    id,
    method: 'GET',
    path: `/${id}`,
    tag,
    summary: '',
    parameters: [],
    standardHeaders: [],
    successStatus: 200,
    compatibilityDate: '2026-08-04',
    pagination: 'none',
  };
}

describe('tag grouping', () => {
  it('turns tag names into PascalCase keys', () => {
    expect(tagKey('Faction Warfare')).toBe('FactionWarfare');
    expect(tagKey('Planetary Interaction')).toBe('PlanetaryInteraction');
    expect(tagKey('User Interface')).toBe('UserInterface');
    expect(tagKey('Market')).toBe('Market');
    expect(tagKey('sovereignty/hubs & more')).toBe('SovereigntyHubsMore');
    expect(tagKey('3D views')).toBe('_3DViews');
    expect(tagKey(' - ')).toBe('Default');
  });

  it('lower-cases the first letter of the operationId for the method', () => {
    expect(methodName('GetMarketsRegionIdOrders')).toBe('getMarketsRegionIdOrders');
  });

  it('groups operations by tag key, sorted at every level', () => {
    const table: OperationTable = {
      compatibilityDate: '2026-08-04',
      languages: ['en'],
      scopes: [],
      operations: [
        op('GetFwWars', 'Faction Warfare'),
        op('GetFwStats', 'Faction Warfare'),
        op('GetStatus', 'Status'),
      ],
    };
    const map = tagMethodMap(table);
    expect(map).toEqual({
      FactionWarfare: { getFwStats: 'GetFwStats', getFwWars: 'GetFwWars' },
      Status: { getStatus: 'GetStatus' },
    });
    expect(Object.keys(map.FactionWarfare!)).toEqual(['getFwStats', 'getFwWars']);
  });
});
