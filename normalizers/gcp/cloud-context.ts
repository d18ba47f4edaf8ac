import type { JsonObject } from '../format.js';
import type { CloudContext } from '../schema.js';
import { obj, str, strOrNum } from '../common/json.js';
import type { AuditLogRecord } from './audit-log-record.js';
import { fieldArr, fieldObj, fieldStr } from './fields.js';

const PROJECTS = 'projects/';

/**
 * Project and location of an audit record.
 *
 * account: `resource.labels.project_id`, else the project in `logName`
 * (`projects/<id>/logs/...`), else the project in `resourceName`. Kept as written: a project
 * number in one record and the project id in another are not reconciled.
 * region: `resource.labels.location`, else `resourceLocation.currentLocations[0]`.
 */
export function gcpCloud(record: AuditLogRecord): CloudContext {
  const labels = obj(record.resource, 'labels');
  const account =
    strOrNum(labels, 'project_id') ??
    projectOf(record.logName) ??
    projectOf(fieldStr(record.payload, 'resourceName', 'resource_name'));
  const region = str(labels, 'location') ?? firstLocation(record.payload);
  const cloud: CloudContext = {};
  if (account !== undefined) cloud.account = account;
  if (region !== undefined) cloud.region = region;
  return cloud;
}

/** `projects/<id>/...` -> `<id>`; the wildcard `-` is no project. */
export function projectOf(path: string | undefined): string | undefined {
  if (path === undefined || !path.startsWith(PROJECTS)) return undefined;
  const end = path.indexOf('/', PROJECTS.length);
  const id = end === -1 ? path.slice(PROJECTS.length) : path.slice(PROJECTS.length, end);
  return id === '' || id === '-' ? undefined : id;
}

function firstLocation(payload: JsonObject): string | undefined {
  const location = fieldObj(payload, 'resourceLocation', 'resource_location');
  const first = fieldArr(location, 'currentLocations', 'current_locations')?.[0];
  return typeof first === 'string' && first !== '' ? first : undefined;
}
