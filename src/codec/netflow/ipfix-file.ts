// RFC 5655 IPFIX files: the framing (bytes → messages) lives with the other file readers in
// src/replay; re-exported here so the codec's callers keep their import.
export { splitIpfixFile, type IpfixFileMessages } from '../../capture/ipfix-file.ts';
