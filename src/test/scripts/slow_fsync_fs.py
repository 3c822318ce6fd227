#!/usr/bin/python3
"""A passthrough FUSE filesystem whose fsync is slow: a disk made slow on purpose, for SlowDiskE2E and bench/slowdisk.sh.

  slow_fsync_fs.py BACKING MOUNTPOINT SECONDS COUNT_FILE

Every file operation on MOUNTPOINT goes to the same path under BACKING. fsync and fdatasync (and fsync on a
directory) first sleep SECONDS, then sync the backing file. After each one, COUNT_FILE holds
"<slow fsyncs> <total fsync seconds>", so a test can show the slow window really opened. Runs in the foreground,
multithreaded (a sleeping fsync blocks no write), until the mount is unmounted (fusermount -u, umount) or the
process is killed. Debian: python3-fusepy (libfuse2) and fuse3; /dev/fuse.
"""
import errno
import os
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations


class SlowFsync(Operations):
    def __init__(self, backing, seconds, count_file):
        self.backing = backing
        self.seconds = seconds
        self.count_file = count_file
        self.lock = threading.Lock()
        self.count = 0
        self.total = 0.0
        self.publish()

    def path(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def publish(self):
        # Written whole and renamed, so a reader never sees half a line.
        partial = self.count_file + ".partial"
        with open(partial, "w", encoding="ascii") as out:
            out.write(f"{self.count} {self.total:.3f}\n")
        os.replace(partial, self.count_file)

    def slow(self, sync):
        started = time.monotonic()
        time.sleep(self.seconds)
        sync()
        with self.lock:
            self.count += 1
            self.total += time.monotonic() - started
            self.publish()

    # Everything else passes through, with the errno the backing filesystem gives.
    def __call__(self, op, path, *args):
        try:
            return super().__call__(op, path, *args)
        except OSError as e:
            raise FuseOSError(e.errno or errno.EIO) from e

    def access(self, path, mode):
        if not os.access(self.path(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        os.chmod(self.path(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self.path(path), uid, gid)

    def getattr(self, path, fh=None):
        st = os.lstat(self.path(path))
        return {key: getattr(st, key) for key in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime",
                                                  "st_nlink", "st_size", "st_uid")}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self.path(path))

    def mkdir(self, path, mode):
        os.mkdir(self.path(path), mode)

    def rmdir(self, path):
        os.rmdir(self.path(path))

    def unlink(self, path):
        os.unlink(self.path(path))

    def rename(self, old, new):
        os.rename(self.path(old), self.path(new))

    def utimens(self, path, times=None):
        os.utime(self.path(path), times)

    def statfs(self, path):
        st = os.statvfs(self.path(path))
        return {key: getattr(st, key) for key in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                                  "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def open(self, path, flags):
        return os.open(self.path(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self.path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is None:
            os.truncate(self.path(path), length)
        else:
            os.ftruncate(fh, length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)

    def fsync(self, path, datasync, fh):
        self.slow(lambda: os.fdatasync(fh) if datasync else os.fsync(fh))
        return 0

    def fsyncdir(self, path, datasync, fh):
        def sync_dir():
            fd = os.open(self.path(path), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self.slow(sync_dir)
        return 0


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: slow_fsync_fs.py BACKING MOUNTPOINT SECONDS COUNT_FILE")
    backing, mountpoint, seconds, count_file = sys.argv[1:]
    FUSE(SlowFsync(os.path.realpath(backing), float(seconds), os.path.realpath(count_file)), mountpoint,
         foreground=True, nothreads=False)


if __name__ == "__main__":
    main()
