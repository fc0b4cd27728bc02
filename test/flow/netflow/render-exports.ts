export { ipv6At, v5Switched, v9Switched, ntpTs, macAt } from '../../../src/flow/netflow/render.ts';
export { applicationId as applicationIdText } from '../../../src/flow/netflow/field-values.ts';
