// The viewer and mutations: each user sees only their own characters, each character's private
// fields use that character's token, a missing scope is one field error naming the scope.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, NO_VIOLATIONS, type Harness, type Loose } from '../test/fixture.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const SKILLS = 'esi-skills.read_skills.v1';

let h: Harness;
afterEach(async () => {
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
  await h.close();
});

async function twoUsersThreeCharacters() {
  h = await harness();
  const [a, b, c] = h.sim.characters;
  await h.sim.seedTokenStore(h.tokens.store, [
    { characterId: a!.id, scopes: [WALLET, SKILLS], userId: 'alice' },
    { characterId: b!.id, scopes: [SKILLS], userId: 'alice' },
    {
      characterId: c!.id,
      scopes: [
        WALLET,
        'esi-mail.organize_mail.v1',
        'esi-characters.write_contacts.v1',
        'esi-ui.write_waypoint.v1',
      ],
      userId: 'bob',
    },
  ]);
  return { a: a!, b: b!, c: c! };
}

const VIEWER = `{ viewer { userId characters { id name corporation { name } wallet skills { total_sp } } } }`;

describe('the viewer', () => {
  it('gives each user their own characters, each read with its own token', async () => {
    const { a, b, c } = await twoUsersThreeCharacters();
    const alice = await h.query(VIEWER, { user: 'alice' });
    expect(alice.body.data!.viewer.userId).toBe('alice');
    const chars = alice.body.data!.viewer.characters;
    expect(chars.map((x: { id: number }) => x.id)).toEqual([a.id, b.id].sort((x, y) => x - y));
    const byId = new Map(chars.map((x: { id: number }) => [x.id, x]));
    const first = byId.get(a.id) as Record<string, Loose>;
    expect(first.name).toBe(a.name);
    expect(first.wallet).toEqual(expect.any(Number));
    expect(first.skills.total_sp).toEqual(expect.any(Number));
    // b has no wallet scope: that one field fails, naming the scope; its other fields resolve.
    const second = byId.get(b.id) as Record<string, Loose>;
    expect(second.wallet).toBeNull();
    expect(second.skills.total_sp).toEqual(expect.any(Number));
    expect(alice.body.errors).toHaveLength(1);
    expect(alice.body.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN',
      scope: WALLET,
      reason: 'missing-scope',
    });
    expect(alice.body.errors![0]!.path).toEqual([
      'viewer',
      'characters',
      chars.indexOf(second),
      'wallet',
    ]);
    // The audit log: each private call carried its own character's token.
    const wallets = h.sim.audit().filter((e) => e.operationId === 'GetCharactersCharacterIdWallet');
    expect(wallets.map((e) => e.characterId)).toEqual([a.id]);
    expect(alice.headers.get('cache-control')).toMatch(/^no-store|^private/);

    const bob = await h.query(VIEWER, { user: 'bob' });
    expect(bob.body.data!.viewer.characters.map((x: { id: number }) => x.id)).toEqual([c.id]);
    expect(bob.body.errors?.filter((e) => e.extensions?.scope !== SKILLS)).toEqual([]);

    const anonymous = await h.query(VIEWER);
    expect(anonymous.body.data!.viewer).toEqual({ userId: null, characters: [] });
  });

  it("never reads another user's character, and puts no token in any answer", async () => {
    const { c } = await twoUsersThreeCharacters();
    const res = await h.query(
      `{ charactersWallet(character_id: ${c.id}) character(character_id: ${c.id}) { name wallet } }`,
      {
        user: 'alice',
      },
    );
    expect(res.body.data!.character.name).toBe(c.name);
    expect(res.body.data!.charactersWallet).toBeNull();
    expect(res.body.errors!.map((e) => String(e.extensions!.reason))).toEqual([
      'not-your-character',
      'not-your-character',
    ]);
    expect(h.esiRequests('GetCharactersCharacterIdWallet')).toBe(0);
    const secrets = (await h.tokens.find({})).flatMap((t) => [t.accessToken, t.refreshToken]);
    const text = JSON.stringify(res.body);
    for (const s of secrets) if (s) expect(text).not.toContain(s);
  });
});

describe('mutations', () => {
  it("writes with the character's token and answers 204s with true", async () => {
    const { c } = await twoUsersThreeCharacters();
    const created = await h.query(
      `mutation($id: Int64!) { postCharactersMailLabels(character_id: $id, body: { name: "Ops", color: _0000fe }) }`,
      { user: 'bob', variables: { id: c.id } },
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data!.postCharactersMailLabels).toEqual(expect.any(Number));
    const deleted = await h.query(
      `mutation($id: Int64!) { deleteCharactersContacts(character_id: $id, contact_ids: [${h.sim.characters[0]!.id}]) }`,
      { user: 'bob', variables: { id: c.id } },
    );
    expect(deleted.body.errors).toBeUndefined();
    expect(deleted.body.data!.deleteCharactersContacts).toBe(true);
    // A write without character_id in its path acts as `asCharacterId` (User Interface).
    const waypoint = await h.query(
      `mutation($id: Int64!) { postUiAutopilotWaypoint(add_to_beginning: false, clear_other_waypoints: true, destination_id: 30000142, asCharacterId: $id) }`,
      { user: 'bob', variables: { id: c.id } },
    );
    expect(waypoint.body.errors).toBeUndefined();
    expect(waypoint.body.data!.postUiAutopilotWaypoint).toBe(true);
    const waypoints = h.sim.audit().filter((e) => e.operationId === 'PostUiAutopilotWaypoint');
    expect(waypoints.map((e) => e.characterId)).toEqual([c.id]);
    expect(created.headers.get('cache-control')).toBe('no-store');
    // Someone else's character: refused before ESI.
    const refused = await h.query(
      `mutation($id: Int64!) { postCharactersMailLabels(character_id: $id, body: { name: "x" }) }`,
      { user: 'alice', variables: { id: c.id } },
    );
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(h.esiRequests('PostCharactersCharacterIdMailLabels')).toBe(1);
  });

  it('serves side-effect-free POST lookups as queries', async () => {
    h = await harness();
    const [a] = h.sim.characters;
    const res = await h.query(`{ universeNames(body: [${a!.id}, 30000142]) { id name category } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.universeNames).toEqual(
      expect.arrayContaining([{ id: a!.id, name: a!.name, category: 'character' }]),
    );
  });
});
