import { describe, expect, it } from 'vitest';
import { azurePrincipal } from '../../../normalizers/azure/identity.js';

const UPN_URI = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const OID_URI = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const NAME_URI = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

describe('azurePrincipal', () => {
  it('uses the URI-form UPN, lower-cased, keeping the live.com# prefix (Microsoft docs record)', () => {
    const identity = {
      claim: {
        [OID_URI]: 'd9da5048-2737-4770-bd64-XXXXXXXXXXXX',
        [UPN_URI]: 'live.com#username@outlook.com',
        appid: '1950a258-227b-4e31-a9cf-XXXXXXXXXXXX',
      },
    };
    expect(azurePrincipal({ identity })).toEqual({
      id: 'live.com#username@outlook.com',
      type: 'user',
      class: 'standard',
      display_name: 'live.com#username@outlook.com',
    });
  });

  it('uses the short upn and keeps its spelling in display_name', () => {
    expect(azurePrincipal({ identity: { claim: { oid: 'X', upn: 'Bob.Admin@Contoso.com', appid: 'Y' } } })).toEqual({
      id: 'bob.admin@contoso.com',
      type: 'user',
      class: 'high_privilege',
      display_name: 'Bob.Admin@Contoso.com',
    });
  });

  it('falls back to unique_name (short or URI form) when there is no upn', () => {
    expect(azurePrincipal({ identity: { claim: { unique_name: 'live.com#guest@outlook.com', oid: 'o' } } }).id).toBe(
      'live.com#guest@outlook.com',
    );
    expect(azurePrincipal({ identity: { claims: { [NAME_URI]: 'user@example.com', idtyp: 'user' } } })).toMatchObject({
      id: 'user@example.com',
      type: 'user',
    });
  });

  it('uses the object id, lower-cased, when there is no UPN', () => {
    expect(azurePrincipal({ identity: { claim: { oid: '607964B6-41A5-4E24-A5DB-DB7AAB3B9B34' } } })).toEqual({
      id: '607964b6-41a5-4e24-a5db-db7aab3b9b34',
      type: 'unknown',
      class: 'standard',
    });
    expect(azurePrincipal({ identity: { claim: { [OID_URI]: 'abc' } } }).id).toBe('abc');
  });

  it('a user token without UPN is still a user (idtyp)', () => {
    expect(azurePrincipal({ identity: { claims: { oid: 'o1', appid: 'a1', idtyp: 'user' } } })).toEqual({
      id: 'o1',
      type: 'user',
      class: 'standard',
    });
  });

  it('an application without UPN is a service account, keyed by oid, else appid, else azp', () => {
    expect(azurePrincipal({ identity: { claim: { oid: 'O1', appid: 'A1', idtyp: 'app' } } })).toEqual({
      id: 'o1',
      type: 'service_account',
      class: 'service_account',
    });
    expect(azurePrincipal({ identity: { claims: { appid: '12345678-1234-1234-1234-123456789ABC' } } })).toEqual({
      id: '12345678-1234-1234-1234-123456789abc',
      type: 'service_account',
      class: 'service_account',
    });
    expect(azurePrincipal({ identity: { claim: { azp: 'v2-client' } } })).toMatchObject({ id: 'v2-client', type: 'service_account' });
  });

  it('a token with xms_mirid is a managed identity, named by its resource id', () => {
    const mirid =
      '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-payments-api';
    expect(azurePrincipal({ identity: { claim: { oid: 'O', appid: 'A', idtyp: 'app', xms_mirid: mirid } } })).toEqual({
      id: 'o',
      type: 'managed_identity',
      class: 'service_account',
      display_name: mirid,
    });
  });

  it('classifies by name after type (an admin-named managed identity is high privilege)', () => {
    const mirid = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-admin';
    expect(azurePrincipal({ identity: { claim: { oid: 'o', xms_mirid: mirid } } }).class).toBe('high_privilege');
  });

  it('uses the display name claim for users without a UPN', () => {
    expect(azurePrincipal({ identity: { claims: { oid: 'o', idtyp: 'user', name: 'John Doe' } } })).toEqual({
      id: 'o',
      type: 'user',
      class: 'standard',
      display_name: 'John Doe',
    });
  });

  it("falls back to the Activity Log's authorization evidence", () => {
    const identity = { authorization: { evidence: { principalId: 'ABCDEF0123', principalType: 'ServicePrincipal' } } };
    expect(azurePrincipal({ identity })).toEqual({ id: 'abcdef0123', type: 'service_account', class: 'service_account' });
    const user = { authorization: { evidence: { principalId: 'p', principalType: 'User' } }, claims: {} };
    expect(azurePrincipal({ identity: user })).toMatchObject({ id: 'p', type: 'user' });
  });

  it('keeps a plain-string identity verbatim, type unknown', () => {
    expect(azurePrincipal({ identity: 'John Doe' })).toEqual({
      id: 'John Doe',
      type: 'unknown',
      class: 'standard',
      display_name: 'John Doe',
    });
  });

  it('says unknown when the record names nobody (401s) or the identity is junk', () => {
    const unknown = { id: 'unknown', type: 'unknown', class: 'standard' };
    expect(azurePrincipal({})).toEqual(unknown);
    expect(azurePrincipal({ identity: '' })).toEqual(unknown);
    expect(azurePrincipal({ identity: null })).toEqual(unknown);
    expect(azurePrincipal({ identity: 42 })).toEqual(unknown);
    expect(azurePrincipal({ identity: ['x'] })).toEqual(unknown);
    expect(azurePrincipal({ identity: {} })).toEqual(unknown);
    expect(azurePrincipal({ identity: { claim: { oid: 7, upn: '' } } })).toEqual(unknown);
    expect(azurePrincipal({ identity: { claim: 'oid=1' } })).toEqual(unknown);
  });

  it('returns a fresh object each time (callers may enrich it)', () => {
    expect(azurePrincipal({})).not.toBe(azurePrincipal({}));
  });
});
