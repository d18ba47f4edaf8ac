import { describe, expect, it } from 'vitest';
import {
  azureSecretIds,
  secretIdFromResourceId,
  secretIdFromUrl,
  subscriptionOf,
} from '../../../normalizers/azure/resource.js';

describe('secretIdFromUrl', () => {
  it('drops the version and lower-cases host and name', () => {
    expect(secretIdFromUrl('https://KV-Payments-Prod.vault.azure.net/secrets/DB-Password/6a1e4c8b2d0f4a3e9b7c5d1f8e2a6c40')).toBe(
      'https://kv-payments-prod.vault.azure.net/secrets/db-password',
    );
  });

  it('accepts a trailing slash, query, port, and the deletedsecrets path', () => {
    const want = 'https://kv.vault.azure.net/secrets/a';
    expect(secretIdFromUrl('https://kv.vault.azure.net/secrets/a/?api-version=7.4')).toBe(want);
    expect(secretIdFromUrl('https://kv.vault.azure.net/secrets/a?api-version=7.0&_=1712126805801')).toBe(want);
    expect(secretIdFromUrl('https://kv.vault.azure.net:443/secrets/a')).toBe(want);
    expect(secretIdFromUrl('https://kv.vault.azure.net/deletedsecrets/a')).toBe(want);
    expect(secretIdFromUrl('https://kv.vault.azure.net/secrets/a/versions?api-version=7.4')).toBe(want);
  });

  it('keeps a sovereign-cloud host', () => {
    expect(secretIdFromUrl('https://kv.vault.azure.cn/secrets/a/1')).toBe('https://kv.vault.azure.cn/secrets/a');
  });

  it('names no secret for vault, list, key and certificate URLs', () => {
    expect(secretIdFromUrl('https://contosokeyvault.vault.azure.net/')).toBeUndefined();
    expect(secretIdFromUrl('https://kv.vault.azure.net/secrets?api-version=7.0&maxresults=25')).toBeUndefined();
    expect(secretIdFromUrl('https://kv.vault.azure.net/deletedsecrets?api-version=7.0')).toBeUndefined();
    expect(secretIdFromUrl('https://kv.vault.azure.net/keys/k/1')).toBeUndefined();
    expect(secretIdFromUrl('https://kv.vault.azure.net/certificates/c')).toBeUndefined();
    expect(secretIdFromUrl('not a url')).toBeUndefined();
  });
});

describe('secretIdFromResourceId', () => {
  it('maps an ARM secret id in any case onto the public-cloud URL', () => {
    expect(
      secretIdFromResourceId(
        '/subscriptions/12345678-1234-1234-1234-123456789abc/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/myvault/secrets/database-password',
      ),
    ).toBe('https://myvault.vault.azure.net/secrets/database-password');
    expect(
      secretIdFromResourceId('/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-X/SECRETS/STRIPE-API-KEY'),
    ).toBe('https://kv-x.vault.azure.net/secrets/stripe-api-key');
  });

  it('a vault alone is not a secret', () => {
    expect(secretIdFromResourceId('/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV')).toBeUndefined();
    expect(secretIdFromResourceId('/RESOURCE_ID')).toBeUndefined();
  });
});

describe('azureSecretIds', () => {
  const vaultResource = '/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV';

  it('prefers properties.id, then requestUri, then the resource id', () => {
    expect(
      azureSecretIds({
        resourceId: `${vaultResource}/SECRETS/FROM-ARM`,
        properties: { id: 'https://kv.vault.azure.net/secrets/from-id/1', requestUri: 'https://kv.vault.azure.net/secrets/from-uri' },
      }),
    ).toEqual(['https://kv.vault.azure.net/secrets/from-id']);
    expect(
      azureSecretIds({ resourceId: vaultResource, properties: { requestUri: 'https://kv.vault.azure.net/secrets/from-uri/?api-version=7.4' } }),
    ).toEqual(['https://kv.vault.azure.net/secrets/from-uri']);
    expect(azureSecretIds({ resourceId: `${vaultResource}/SECRETS/FROM-ARM` })).toEqual([
      'https://kv.vault.azure.net/secrets/from-arm',
    ]);
  });

  it('skips a vault-level properties.id and looks further', () => {
    expect(
      azureSecretIds({ properties: { id: 'https://kv.vault.azure.net/', requestUri: 'https://kv.vault.azure.net/secrets/x' } }),
    ).toEqual(['https://kv.vault.azure.net/secrets/x']);
  });

  it('is empty when nothing names a secret', () => {
    expect(azureSecretIds({ resourceId: vaultResource, properties: { id: 'https://kv.vault.azure.net/' } })).toEqual([]);
    expect(azureSecretIds({})).toEqual([]);
    expect(azureSecretIds({ properties: 'junk', resourceId: 3 })).toEqual([]);
  });
});

describe('subscriptionOf', () => {
  it('parses the subscription in any case and lower-cases it', () => {
    expect(subscriptionOf({ resourceId: '/SUBSCRIPTIONS/F40A1F1D-F2C6-4444-92A6-93068B9DE034/RESOURCEGROUPS/X' })).toBe(
      'f40a1f1d-f2c6-4444-92a6-93068b9de034',
    );
    expect(subscriptionOf({ resourceId: '/subscriptions/abc/resourceGroups/x' })).toBe('abc');
  });

  it('is undefined without a subscription', () => {
    expect(subscriptionOf({ resourceId: '/RESOURCE_ID' })).toBeUndefined();
    expect(subscriptionOf({})).toBeUndefined();
  });
});
