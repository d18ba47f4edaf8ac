import { describe, expect, it } from 'vitest';
import { azureOutcome } from '../../../normalizers/azure/outcome.js';

describe('azureOutcome', () => {
  it('trusts httpStatusCode over resultType (Key Vault says Success for a 403)', () => {
    expect(azureOutcome({ resultType: 'Success', resultSignature: 'Forbidden', properties: { httpStatusCode: 403 } })).toEqual({
      outcome: 'failure',
      error_code: '403',
      basis: 'httpStatusCode',
    });
  });

  it('accepts httpStatusCode as a string', () => {
    expect(azureOutcome({ properties: { httpStatusCode: '200' } })).toEqual({ outcome: 'success', basis: 'httpStatusCode' });
    expect(azureOutcome({ properties: { httpStatusCode: ' 404 ' } })).toEqual({
      outcome: 'failure',
      error_code: '404',
      basis: 'httpStatusCode',
    });
  });

  it('treats every 2xx as success and every other code as failure', () => {
    expect(azureOutcome({ properties: { httpStatusCode: 202 } }).outcome).toBe('success');
    expect(azureOutcome({ properties: { httpStatusCode: 204 } }).outcome).toBe('success');
    expect(azureOutcome({ properties: { httpStatusCode: 304 } })).toMatchObject({ outcome: 'failure', error_code: '304' });
    expect(azureOutcome({ properties: { httpStatusCode: 429 } })).toMatchObject({ outcome: 'failure', error_code: '429' });
  });

  it('ignores an unusable httpStatusCode and falls through to resultSignature', () => {
    expect(azureOutcome({ resultSignature: 'Unauthorized', properties: { httpStatusCode: 'n/a' } })).toEqual({
      outcome: 'failure',
      error_code: 'Unauthorized',
      basis: 'resultSignature',
    });
  });

  it('reads reason phrases from resultSignature, with spaces', () => {
    expect(azureOutcome({ resultType: 'Success', resultSignature: 'OK' })).toEqual({ outcome: 'success', basis: 'resultSignature' });
    expect(azureOutcome({ resultSignature: 'No Content' }).outcome).toBe('success');
    expect(azureOutcome({ resultSignature: 'Accepted' }).outcome).toBe('success');
    expect(azureOutcome({ resultType: 'Success', resultSignature: 'Not Found' })).toEqual({
      outcome: 'failure',
      error_code: 'Not Found',
      basis: 'resultSignature',
    });
    expect(azureOutcome({ resultSignature: 'Forbidden' })).toMatchObject({ outcome: 'failure', error_code: 'Forbidden' });
  });

  it('reads a numeric resultSignature as a status code', () => {
    expect(azureOutcome({ resultSignature: '403' })).toEqual({ outcome: 'failure', error_code: '403', basis: 'resultSignature' });
    expect(azureOutcome({ resultSignature: 200 })).toEqual({ outcome: 'success', basis: 'resultSignature' });
  });

  it("reads the Activity Log's status.reason signatures", () => {
    expect(azureOutcome({ resultType: 'Success', resultSignature: 'Succeeded.OK' })).toEqual({
      outcome: 'success',
      basis: 'resultSignature',
    });
    expect(azureOutcome({ resultSignature: 'Succeeded.' }).outcome).toBe('success');
    expect(azureOutcome({ resultType: 'Failure', resultSignature: 'Failed.Forbidden' })).toEqual({
      outcome: 'failure',
      error_code: 'Forbidden',
      basis: 'resultSignature',
    });
    expect(azureOutcome({ resultSignature: 'Failed.' })).toMatchObject({ outcome: 'failure', error_code: 'Failed' });
  });

  it("prefers the Activity Log's properties.statusCode to resultSignature", () => {
    expect(azureOutcome({ resultSignature: 'Succeeded.', properties: { statusCode: 'Forbidden' } })).toEqual({
      outcome: 'failure',
      error_code: 'Forbidden',
      basis: 'statusCode',
    });
  });

  it('falls back to resultType only when there is no status at all', () => {
    expect(azureOutcome({ resultType: 'Success' })).toEqual({ outcome: 'success', basis: 'resultType' });
    expect(azureOutcome({ resultType: 'Succeeded' })).toEqual({ outcome: 'success', basis: 'resultType' });
    expect(azureOutcome({ resultType: 'Failed' })).toEqual({ outcome: 'failure', error_code: 'Failed', basis: 'resultType' });
    expect(azureOutcome({ resultSignature: '', properties: {} })).toEqual({ outcome: 'success', basis: 'resultType' });
    expect(azureOutcome({})).toEqual({ outcome: 'success', basis: 'resultType' });
  });
});
