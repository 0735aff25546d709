//go:build unix

package executor

import (
	"io/fs"
	"syscall"
)

// fileID tells files apart: their device and inode, and how many links
// the inode has.
type fileID struct {
	dev, ino uint64
	links    uint64
}

func fileIDOf(info fs.FileInfo) fileID {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino, links: uint64(st.Nlink)}
}

func ownerOf(info fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
