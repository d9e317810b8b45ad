package sqlstore

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Coalesced WAL writes for the writer connection (SQLite, modernc driver).
//
// SQLite writes a commit's WAL frames one system call at a time: a 24-byte
// frame header, then the 4 KiB page, for every page the transaction
// dirtied. A group commit of a few dozen creates writes about 80 frames,
// 160 pwrite calls, and those calls were most of the COMMIT's time, which
// the write turn holds. walVFS is the "unix" VFS with the WAL file's
// writes gathered in memory while they are contiguous and handed to the
// OS in one write:
//
//   - Before anyone can read them. The writer runs at synchronous=FULL, so
//     every commit calls xSync on the WAL before it publishes the new
//     frames in the wal-index; the buffer is written there. Reads, size
//     queries, truncation and close of the file write it first too, and a
//     write that does not continue the buffer writes it before going on.
//     Other connections open the WAL through the plain unix VFS and read
//     only frames the wal-index has published.
//   - A failed write fails the call that wrote the buffer: the COMMIT's
//     xSync, so the transaction fails as it would have at its own write.
//   - The fsync of a commit is left to the store's walSyncer (walsync.go),
//     as synchronous=NORMAL did, but only for WAL paths the store has
//     registered with deferWALSync: any other WAL opened through walVFS is
//     synced as SQLite asks. Syncs that SQLite needs for crash safety
//     rather than durability always reach the disk: the WAL header written
//     when the WAL restarts (SQLite syncs it before frames overwrite the
//     old ones), and the WAL before a checkpoint copies it into the
//     database. The writer sets checkpoint_fullfsync, so those come with
//     SQLITE_SYNC_FULL, while a commit's comes with SQLITE_SYNC_NORMAL;
//     on Linux both are an fsync.

const (
	walVFSName = "sird-walbuf"
	// walBufferMax bounds the memory of one buffer: a larger run of writes
	// goes to the OS in pieces of this size.
	walBufferMax = 4 << 20
	// walWriteMax is the most the unix VFS writes in one call: it masks a
	// write's length with 0x1ffff, as SQLite never writes more than a page.
	walWriteMax = 0x1ffff &^ 0xfff
	// walHeaderSize is the WAL file header SQLite rewrites at a restart.
	walHeaderSize = 32
)

var (
	walVFSOnce sync.Once
	walVFSErr  error
	// unixOpen is the unix VFS's xOpen, which walVFS's wraps.
	unixOpen uintptr

	// walMethods caches, per io_methods table of the unix VFS, the copy
	// whose write-path entries walVFS replaces. Both live in C memory.
	walMethodsMu sync.Mutex
	walMethods   = map[uintptr]uintptr{}

	// walFiles maps an open WAL's sqlite3_file to its buffer.
	walFilesMu sync.Mutex
	walFiles   = map[uintptr]*walFile{}

	// walDeferred holds the WAL paths whose commit fsyncs a walSyncer does.
	walDeferred sync.Map // string -> struct{}
)

// walFile is one WAL file opened through walVFS.
type walFile struct {
	path    string
	methods *sqlite3.Tsqlite3_io_methods // the unix VFS's own
	off     int64                        // file offset of buf[0]
	buf     []byte
	header  bool // the header was written since the last fsync

	// For tests: counters, and failWrites makes writes to the OS fail.
	osWrites, deferredSyncs, osSyncs atomic.Int64
	failWrites                       atomic.Bool
}

// registerWALVFS registers walVFS once per process and returns its name.
func registerWALVFS() (string, error) {
	walVFSOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		unix := sqlite3.Xsqlite3_vfs_find(tls, 0)
		if unix == 0 {
			walVFSErr = fmt.Errorf("sqlstore: SQLite has no default VFS")
			return
		}
		p := libc.Xcalloc(tls, 1, uint64(unsafe.Sizeof(sqlite3.Tsqlite3_vfs{})))
		name, err := libc.CString(walVFSName)
		if p == 0 || err != nil {
			walVFSErr = fmt.Errorf("sqlstore: registering %s: out of memory", walVFSName)
			return
		}
		v := (*sqlite3.Tsqlite3_vfs)(cPointer(p))
		*v = *(*sqlite3.Tsqlite3_vfs)(cPointer(unix))
		v.FpNext = 0
		v.FzName = name
		unixOpen = v.FxOpen
		*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&v.FxOpen)) = walVFSOpen
		if rc := sqlite3.Xsqlite3_vfs_register(tls, p, 0); rc != sqlite3.SQLITE_OK {
			walVFSErr = fmt.Errorf("sqlstore: registering %s: SQLite error %d", walVFSName, rc)
		}
	})
	return walVFSName, walVFSErr
}

// deferWALSync makes walSyncer, not the COMMIT, fsync the WAL at path.
func deferWALSync(path string) { walDeferred.Store(path, struct{}{}) }

// undeferWALSync undoes deferWALSync (the store closed, or a benchmark
// measures COMMITs that sync themselves).
func undeferWALSync(path string) { walDeferred.Delete(path) }

func walVFSOpen(tls *libc.TLS, pVfs, zName, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	rc := (*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{unixOpen})))(tls, pVfs, zName, pFile, flags, pOutFlags)
	f := (*sqlite3.Tsqlite3_file)(cPointer(pFile))
	if rc != sqlite3.SQLITE_OK || flags&sqlite3.SQLITE_OPEN_WAL == 0 || f.FpMethods == 0 || zName == 0 {
		return rc
	}
	w := &walFile{path: libc.GoString(zName), methods: (*sqlite3.Tsqlite3_io_methods)(cPointer(f.FpMethods))}
	wrapped := walMethodsFor(tls, f.FpMethods)
	if wrapped == 0 {
		return rc // out of memory: the file works unbuffered
	}
	walFilesMu.Lock()
	walFiles[pFile] = w
	walFilesMu.Unlock()
	f.FpMethods = wrapped
	return rc
}

// walMethodsFor returns the io_methods table that buffers writes in front
// of orig, building it on first use.
func walMethodsFor(tls *libc.TLS, orig uintptr) uintptr {
	walMethodsMu.Lock()
	defer walMethodsMu.Unlock()
	if m, ok := walMethods[orig]; ok {
		return m
	}
	p := libc.Xcalloc(tls, 1, uint64(unsafe.Sizeof(sqlite3.Tsqlite3_io_methods{})))
	if p == 0 {
		return 0
	}
	m := (*sqlite3.Tsqlite3_io_methods)(cPointer(p))
	*m = *(*sqlite3.Tsqlite3_io_methods)(cPointer(orig))
	*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&m.FxClose)) = walVFSClose
	*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&m.FxRead)) = walVFSRead
	*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&m.FxWrite)) = walVFSWrite
	*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&m.FxTruncate)) = walVFSTruncate
	*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&m.FxSync)) = walVFSSync
	*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&m.FxFileSize)) = walVFSFileSize
	*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&m.FxFileControl)) = walVFSFileControl
	walMethods[orig] = p
	return p
}

func walFileOf(pFile uintptr) *walFile {
	walFilesMu.Lock()
	w := walFiles[pFile]
	walFilesMu.Unlock()
	if w == nil {
		panic(fmt.Sprintf("sqlstore: WAL file %#x is not open through %s", pFile, walVFSName))
	}
	return w
}

// osWrite is the unix VFS's xWrite.
func (w *walFile) osWrite(tls *libc.TLS, pFile, p uintptr, n int32, off int64) int32 {
	w.osWrites.Add(1)
	if w.failWrites.Load() {
		return sqlite3.SQLITE_IOERR_WRITE
	}
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxWrite})))(tls, pFile, p, n, off)
}

// flush hands the buffer to the OS. The buffer is emptied even when the
// write fails: SQLite fails the transaction that wrote it, and the frames
// past the last published one are rewritten by the next.
func (w *walFile) flush(tls *libc.TLS, pFile uintptr) int32 {
	if len(w.buf) == 0 {
		return sqlite3.SQLITE_OK
	}
	rc := int32(sqlite3.SQLITE_OK)
	for done := 0; done < len(w.buf) && rc == sqlite3.SQLITE_OK; {
		n := min(len(w.buf)-done, walWriteMax)
		rc = w.osWrite(tls, pFile, uintptr(unsafe.Pointer(&w.buf[done])), int32(n), w.off+int64(done))
		done += n
	}
	w.buf = w.buf[:0]
	return rc
}

func walVFSWrite(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	w := walFileOf(pFile)
	if iOfst < walHeaderSize {
		w.header = true
	}
	data := unsafe.Slice((*byte)(cPointer(zBuf)), iAmt)
	if len(w.buf) > 0 && iOfst == w.off+int64(len(w.buf)) && len(w.buf)+len(data) <= walBufferMax {
		w.buf = append(w.buf, data...)
		return sqlite3.SQLITE_OK
	}
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	if len(data) > walWriteMax {
		return w.osWrite(tls, pFile, zBuf, iAmt, iOfst) // never: SQLite writes a page at most
	}
	w.off = iOfst
	w.buf = append(w.buf, data...)
	return sqlite3.SQLITE_OK
}

func walVFSSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	w := walFileOf(pFile)
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	if flags&0x0f == sqlite3.SQLITE_SYNC_NORMAL && !w.header {
		if _, ok := walDeferred.Load(w.path); ok {
			w.deferredSyncs.Add(1)
			return sqlite3.SQLITE_OK // a commit: walSyncer fsyncs it before acknowledging
		}
	}
	w.osSyncs.Add(1)
	rc := (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxSync})))(tls, pFile, flags)
	if rc == sqlite3.SQLITE_OK {
		w.header = false
	}
	return rc
}

func walVFSRead(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	w := walFileOf(pFile)
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxRead})))(tls, pFile, zBuf, iAmt, iOfst)
}

func walVFSTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	w := walFileOf(pFile)
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxTruncate})))(tls, pFile, size)
}

func walVFSFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	w := walFileOf(pFile)
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxFileSize})))(tls, pFile, pSize)
}

func walVFSFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	w := walFileOf(pFile)
	if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxFileControl})))(tls, pFile, op, pArg)
}

func walVFSClose(tls *libc.TLS, pFile uintptr) int32 {
	w := walFileOf(pFile)
	rc := w.flush(tls, pFile)
	walFilesMu.Lock()
	delete(walFiles, pFile)
	walFilesMu.Unlock()
	if rc2 := (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{w.methods.FxClose})))(tls, pFile); rc == sqlite3.SQLITE_OK {
		rc = rc2
	}
	return rc
}

// cPointer turns a C address from SQLite into a pointer without the
// conversion vet rightly distrusts for Go memory: it points into C memory.
func cPointer(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
