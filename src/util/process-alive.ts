// Whether a process id names a live process (a lock file's owner): signal 0 checks without
// signalling; EPERM means it exists but belongs to someone else.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
