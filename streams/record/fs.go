package record

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// FS is the part of the file system a recorder writes through. Tests
// inject failures with it (a full or read-only disk cannot be simulated
// by chmod when tests run as root).
type FS interface {
	MkdirAll(dir string) error
	// Create makes a new file; it fails if the file exists.
	Create(path string) (File, error)
	// SyncDir makes a file's creation in dir durable.
	SyncDir(dir string) error
	Remove(path string) error
	// FreeBytes is the space left for an unprivileged writer on the file
	// system holding dir (or its nearest existing parent).
	FreeBytes(dir string) (int64, error)
}

// File is a segment being written.
type File interface {
	Write(b []byte) (int, error)
	Truncate(size int64) error
	Sync() error
	Close() error
}

// OSFS is the real file system.
type OSFS struct{}

// MkdirAll implements FS.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o750) }

// Create implements FS.
func (OSFS) Create(path string) (File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
}

// Remove implements FS.
func (OSFS) Remove(path string) error { return os.Remove(path) }

// FreeBytes implements FS.
func (OSFS) FreeBytes(dir string) (int64, error) {
	for {
		var st syscall.Statfs_t
		err := syscall.Statfs(dir, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), nil
		}
		parent := filepath.Dir(dir)
		if !errors.Is(err, fs.ErrNotExist) || parent == dir {
			return 0, err
		}
		dir = parent
	}
}

// SyncDir implements FS.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Reasons a recorder gives for pausing. They are stable words for the API
// and the console; the detail goes to the log.
const (
	ReasonDiskFull   = "disk_full"
	ReasonReadOnly   = "read_only"
	ReasonPermission = "permission_denied"
	ReasonNoDir      = "no_directory"
	ReasonWriteError = "write_error"
	// ReasonUnsupportedCodec: the camera's video is neither H.264 nor
	// H.265, which is all segments hold (StateUnsupported).
	ReasonUnsupportedCodec = "unsupported_codec"
)

// reasonOf maps a write failure onto a reason word.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return ReasonDiskFull
	case errors.Is(err, syscall.EROFS):
		return ReasonReadOnly
	case errors.Is(err, fs.ErrPermission):
		return ReasonPermission
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrNotExist):
		return ReasonNoDir
	}
	return ReasonWriteError
}
