export { ipv6At, v5Switched, v9Switched, ntpTs, macAt } from '../../../src/codec/netflow/render.ts';
export { applicationId as applicationIdText } from '../../../src/codec/netflow/field-values.ts';
