package backup

// A hand-written, cycle-safe walk of a bbolt file's page tree, run by
// Verify before bbolt itself touches the file.
//
// Why by hand: bbolt trusts its pages. A damaged copy whose B+tree has a
// cycle (a branch element pointing back to an ancestor page, or to its own
// page) makes bbolt's cursors descend forever (Cursor.first →
// goToFirstElementOnTheStack appends to its stack without end) until the
// process is killed, and bbolt's tx.Check recurses down the same pointers.
// So before any cursor runs, this walk reads the pages (through a
// read-only mapping, or with ReadAt, never through unsafe pointers:
// data files can be gigabytes), checks that every
// page and element is inside the file and that the pages form a tree
// (each page reached at most once, depth bounded), then that the freelist
// is a freelist page listing only pages no tree uses, every page of the
// file accounted for once, and refuses the file otherwise. It reads the
// file itself, never through unsafe pointers, so a damaged file gives an
// error here, not a fault.
//
// The layout is bbolt's (go.etcd.io/bbolt/internal/common), in the byte
// order of the machine that wrote it (bbolt writes structs as they are in
// memory; little-endian on every platform dvcbot runs on):
//
//	page header (16 bytes): id u64, flags u16, count u16, overflow u32
//	branch element (16 bytes): pos u32, ksize u32, pgid u64
//	leaf element (16 bytes): flags u32, pos u32, ksize u32, vsize u32
//	meta (after a page header): magic u32, version u32, pageSize u32,
//	  flags u32, root bucket (root pgid u64, sequence u64), freelist u64,
//	  high-water pgid u64, txid u64, checksum u64 (FNV-64a of the rest)
//	freelist page: page header, then count page ids u64 (when count is
//	  0xFFFF, the first u64 is the real count and the ids follow it)
//
// An element's key starts pos bytes after the element itself; a leaf
// value follows its key. A leaf element with the bucket flag holds a
// bucket: a 16-byte header (root pgid, sequence) and, when root is 0 (an
// inline bucket), a leaf page of its own right after it.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"slices"
)

const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16
	metaSize         = 64
	elemSize         = 16 // branch and leaf elements alike
	bucketHeaderSize = 16

	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	// minPageSize and maxPageSize bound the page sizes accepted: bbolt
	// uses the OS page size (4 KiB to 64 KiB) and looks for the second
	// meta page no further than 16 MiB.
	minPageSize = 512
	maxPageSize = 1 << 24

	// noFreelist is the meta page's freelist of a file written with
	// bbolt's NoFreelistSync: bbolt rebuilds the list from the page tree.
	noFreelist = ^uint64(0)
	// pgidSize is the size of a page id in a freelist page.
	pgidSize = 8

	// maxTreeDepth bounds the levels of one bucket's B+tree: every
	// branch page has at least two children in a file bbolt wrote, so 64
	// levels would need more pages than any file can hold.
	maxTreeDepth = 64
	// maxBucketDepth bounds how deep buckets nest in buckets.
	maxBucketDepth = 64
)

// order is the byte order of bbolt's on-disk structures (see above).
var order = binary.NativeEndian

// metaPage is what the walk needs from a valid meta page.
type metaPage struct {
	pageSize uint32
	root     uint64 // root bucket's root page
	freelist uint64 // the freelist's page (noFreelist: not written)
	pgid     uint64 // high-water mark: pages are numbered below it
	txid     uint64
}

// readMeta decodes the meta page at the start of b; ok is false when its
// magic, version or checksum is wrong (bbolt's Meta.Validate).
func readMeta(b []byte) (metaPage, bool) {
	if len(b) < pageHeaderSize+metaSize {
		return metaPage{}, false
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	if order.Uint32(m[0:]) != boltMagic || order.Uint32(m[4:]) != boltVersion {
		return metaPage{}, false
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != order.Uint64(m[56:]) {
		return metaPage{}, false
	}
	return metaPage{pageSize: order.Uint32(m[8:]), root: order.Uint64(m[16:]), freelist: order.Uint64(m[32:]),
		pgid: order.Uint64(m[40:]), txid: order.Uint64(m[48:])}, true
}

// chooseMeta finds the page size and the meta page the way bbolt does when
// it opens a file: the page size from the first meta page if it is valid,
// else from a valid second meta page searched at 1 KiB, 2 KiB, … 16 MiB;
// then, of the meta pages at page 0 and page 1, the valid one with the
// higher txid.
func chooseMeta(f io.ReaderAt, size int64) (metaPage, uint64, error) {
	buf := make([]byte, 0x1000)
	var pageSize uint64
	n, _ := f.ReadAt(buf, 0)
	m0, ok0 := readMeta(buf[:n])
	if ok0 && n == len(buf) {
		pageSize = uint64(m0.pageSize)
	} else {
		for i := 0; i <= 14; i++ {
			pos := int64(1024) << i
			if pos >= size-1024 {
				break
			}
			n, err := f.ReadAt(buf, pos)
			if err == nil || (errors.Is(err, io.EOF) && int64(n) == size-pos) {
				if m, ok := readMeta(buf[:n]); ok {
					pageSize = uint64(m.pageSize)
					break
				}
			}
		}
	}
	if pageSize == 0 {
		return metaPage{}, 0, fmt.Errorf("%w: no valid bbolt meta page", ErrInvalid)
	}
	if pageSize < minPageSize || pageSize > maxPageSize {
		return metaPage{}, 0, fmt.Errorf("%w: damaged meta page (page size %d)", ErrInvalid, pageSize)
	}
	head := make([]byte, pageHeaderSize+metaSize)
	var m1 metaPage
	ok1 := false
	if _, err := f.ReadAt(head, int64(pageSize)); err == nil {
		m1, ok1 = readMeta(head)
	}
	var m metaPage
	switch {
	case ok1 && (!ok0 || m1.txid > m0.txid):
		m = m1
	case ok0:
		m = m0
	default:
		return metaPage{}, 0, fmt.Errorf("%w: no valid bbolt meta page", ErrInvalid)
	}
	if uint64(m.pageSize) != pageSize {
		return metaPage{}, 0, fmt.Errorf("%w: damaged meta pages (page sizes %d and %d)", ErrInvalid, pageSize, m.pageSize)
	}
	return m, pageSize, nil
}

// checkPages checks the file at path (size bytes long) before bbolt maps
// it: its meta page, its length against the meta page's high-water mark
// (a copy cut short), the page tree of every bucket (walker.tree), and the
// freelist (walker.freelist), which bbolt reads only when it opens a file
// for writing — so a read-only open, as Verify's, never sees it damaged.
func checkPages(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return checkFile(f, size)
}

// pageSource is the file's bytes as the walk reads them.
type pageSource interface {
	io.ReaderAt
	// view returns the n bytes at off: a slice of a mapping (mapped), or
	// a copy read from the file (fileSource).
	view(off int64, n uint64) ([]byte, error)
}

// fileSource reads a file with ReadAt, where it cannot be mapped.
type fileSource struct{ *os.File }

func (f fileSource) view(off int64, n uint64) ([]byte, error) {
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, err
	}
	return b, nil
}

// checkFile is checkPages on a file already open: it reads the file
// through a read-only mapping (mapForReading), a fault in which (the file
// cut short meanwhile) is an error.
func checkFile(f *os.File, size int64) (err error) {
	r, unmap := mapForReading(f, size)
	defer unmap()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: the file changed while it was checked (%v)", ErrInvalid, v)
		}
	}()
	return checkReader(r, size)
}

// checkReader is checkPages on the file's bytes.
func checkReader(f pageSource, size int64) error {
	if size < 2*minPageSize {
		return fmt.Errorf("%w: too short to be a bbolt file (%d bytes)", ErrInvalid, size)
	}
	m, pageSize, err := chooseMeta(f, size)
	if err != nil {
		return err
	}
	if m.pgid < 4 || m.root >= m.pgid {
		return fmt.Errorf("%w: damaged meta page (root page %d, %d pages)", ErrInvalid, m.root, m.pgid)
	}
	if m.pgid > uint64(size)/pageSize {
		return fmt.Errorf("%w: the file is cut short (%d bytes, its pages need %d)", ErrInvalid, size, m.pgid*pageSize)
	}
	w := &walker{src: f, pageSize: pageSize, hwm: m.pgid, seen: make([]uint64, (m.pgid+63)/64)}
	if err := w.tree(m.root, 0, 0); err != nil {
		return err
	}
	if m.freelist == noFreelist {
		return nil // bbolt rebuilds it from the tree just walked
	}
	if err := w.freelist(m.freelist); err != nil {
		return err
	}
	// Every page is now accounted for exactly once: in the tree, the
	// freelist's own pages, or listed free (bbolt's tx.Check asks the
	// same). A page that is none of these was lost by the damage.
	for id := uint64(2); id < w.hwm; id++ {
		if !w.isSeen(id) {
			return damagedFreelist("page %d is neither in use nor listed as free", id)
		}
	}
	return nil
}

// damagedFreelist is the error for a file whose freelist is not sound.
func damagedFreelist(format string, args ...any) error {
	return fmt.Errorf("%w: damaged freelist: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// freelist checks the freelist at page id, after the tree walk: a page of
// the freelist type (bbolt panics on any other when it opens the file for
// writing), inside the file, its ids inside its pages, and every page it
// lists free a real page that no tree uses and no other entry lists
// (bbolt would hand it out and overwrite live data). bbolt writes the
// ids sorted after a 16-byte page header; when there are 0xFFFF or more,
// the header's count is 0xFFFF and the first id slot holds the count
// (common.Page.FreelistPageIds).
func (w *walker) freelist(id uint64) error {
	if id < 2 || id >= w.hwm {
		return damagedFreelist("its page %d is outside the file's pages (2 to %d)", id, w.hwm-1)
	}
	off := int64(id * w.pageSize)
	head, err := w.src.view(off, pageHeaderSize+pgidSize)
	if err != nil {
		return fmt.Errorf("%w: read freelist page %d: %v", ErrInvalid, id, err)
	}
	hid, flags := order.Uint64(head[0:]), order.Uint16(head[8:])
	count, overflow := uint64(order.Uint16(head[10:])), uint64(order.Uint32(head[12:]))
	if hid != id {
		return damagedFreelist("page %d says it is page %d", id, hid)
	}
	if flags != freelistPageFlag {
		return damagedFreelist("page %d is a %s page where the freelist belongs", id, pageType(flags))
	}
	if id+overflow >= w.hwm {
		return damagedFreelist("page %d runs past the last page (%d overflow pages)", id, overflow)
	}
	for p := id; p <= id+overflow; p++ {
		if w.isSeen(p) {
			return damagedFreelist("its page %d is also a page of the tree", p)
		}
		w.seen[p/64] |= 1 << (p % 64)
	}
	first := uint64(pageHeaderSize)
	if count == 0xFFFF {
		count = order.Uint64(head[pageHeaderSize:])
		first += pgidSize
	}
	span := (overflow + 1) * w.pageSize
	if count > (span-first)/pgidSize {
		return damagedFreelist("page %d lists %d free pages, more than it can hold", id, count)
	}
	// Read the ids in chunks: a freelist can be many pages long.
	const chunk = 4096
	for done := uint64(0); done < count; {
		n := min(count-done, chunk)
		b, err := w.src.view(off+int64(first+done*pgidSize), n*pgidSize)
		if err != nil {
			return fmt.Errorf("%w: read freelist page %d: %v", ErrInvalid, id, err)
		}
		for i := uint64(0); i < n; i++ {
			free := order.Uint64(b[i*pgidSize:])
			switch {
			case free < 2 || free >= w.hwm:
				return damagedFreelist("it lists page %d, outside the file's pages (2 to %d)", free, w.hwm-1)
			case w.isSeen(free):
				return damagedFreelist("it lists page %d as free, but that page is in use or listed twice", free)
			}
			w.seen[free/64] |= 1 << (free % 64)
		}
		done += n
	}
	return nil
}

// walker reads a bbolt file's page tree, remembering every page it has
// seen.
type walker struct {
	src      pageSource
	pageSize uint64
	hwm      uint64   // high-water mark: valid pages are 2 … hwm-1
	seen     []uint64 // bit set of the pages reached so far
	// leafElems and inlineElems are reused for the elements of a leaf
	// page and of an inline bucket's page (branch pages get their own:
	// the walk recurses while it goes through them).
	leafElems, inlineElems []elem
}

// damaged is the error for a file whose page tree is not sound.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: damaged page tree: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// pageRef names a page, or an inline bucket's page, in errors: formatted
// only when there is one (the walk visits every page of the file).
type pageRef struct {
	id     uint64
	inline int // 1 + the bucket element's index in page id; 0: page id itself
}

func (r pageRef) String() string {
	if r.inline > 0 {
		return fmt.Sprintf("the inline bucket %d of page %d", r.inline-1, r.id)
	}
	return fmt.Sprintf("page %d", r.id)
}

// elem is one branch or leaf element of a page: where its key starts
// (from the start of the page), its sizes, and what it points to.
type elem struct {
	flags        uint32 // leaf elements
	pgid         uint64 // branch elements
	start        uint64
	ksize, vsize uint64
}

// elems decodes the count elements of the page whose header and element
// table are in b, checking that each element's key and value lie inside
// the page's span bytes, where bbolt puts them: the first right after the
// element table, each next one right after the previous one's data
// (common.WriteInodeToPage), so no two elements share bytes. Keys are
// never empty, and a leaf element's only flag is the bucket flag. The
// elements are appended to dst (reused by the walk: a page per call). what
// names the page in errors.
func elems(dst []elem, b []byte, leaf bool, count int, span uint64, what pageRef) ([]elem, error) {
	out := slices.Grow(dst[:0], count)[:count]
	end := uint64(pageHeaderSize + count*elemSize) // where the next element's data starts
	for i := range out {
		at := pageHeaderSize + i*elemSize
		x := b[at : at+elemSize]
		var e elem
		var pos uint64
		if leaf {
			e.flags = order.Uint32(x[0:])
			pos = uint64(order.Uint32(x[4:]))
			e.ksize = uint64(order.Uint32(x[8:]))
			e.vsize = uint64(order.Uint32(x[12:]))
		} else {
			pos = uint64(order.Uint32(x[0:]))
			e.ksize = uint64(order.Uint32(x[4:]))
			e.pgid = order.Uint64(x[8:])
		}
		e.start = uint64(at) + pos
		stop := e.start + e.ksize + e.vsize // at most about 2^34: no overflow
		if e.ksize == 0 || e.start != end || stop > span {
			return nil, damaged("element %d of %s lies outside its place in the page (key at %d, %d+%d bytes, data expected at %d, page of %d bytes)",
				i, what, e.start, e.ksize, e.vsize, end, span)
		}
		if e.flags&^bucketLeafFlag != 0 {
			return nil, damaged("element %d of %s has unknown flags %#x", i, what, e.flags)
		}
		end = stop
		out[i] = e
	}
	return out, nil
}

// tree walks the B+tree under page id: depth is its level in its bucket's
// tree, nest how deep that bucket is nested.
func (w *walker) tree(id uint64, depth, nest int) error {
	if depth > maxTreeDepth {
		return damaged("a bucket's tree is deeper than %d levels at page %d", maxTreeDepth, id)
	}
	if id < 2 || id >= w.hwm {
		return damaged("page %d is outside the file's pages (2 to %d)", id, w.hwm-1)
	}
	if w.isSeen(id) {
		return damaged("page %d is reached twice (a loop in the page tree)", id)
	}
	off := int64(id * w.pageSize) // id < hwm ≤ size/pageSize: fits
	b, err := w.src.view(off, pageHeaderSize)
	if err != nil {
		return fmt.Errorf("%w: read page %d: %v", ErrInvalid, id, err)
	}
	hid, flags := order.Uint64(b[0:]), order.Uint16(b[8:])
	count, overflow := int(order.Uint16(b[10:])), uint64(order.Uint32(b[12:]))
	if hid != id {
		return damaged("page %d says it is page %d", id, hid)
	}
	if flags != branchPageFlag && flags != leafPageFlag {
		return damaged("page %d is a %s page where a branch or leaf page belongs", id, pageType(flags))
	}
	if id+overflow >= w.hwm {
		return damaged("page %d runs past the last page (%d overflow pages)", id, overflow)
	}
	for p := id; p <= id+overflow; p++ {
		if w.isSeen(p) {
			return damaged("page %d is reached twice (a loop in the page tree)", p)
		}
		w.seen[p/64] |= 1 << (p % 64)
	}
	span := (overflow + 1) * w.pageSize
	tableEnd := uint64(pageHeaderSize + count*elemSize)
	if tableEnd > span {
		return damaged("page %d has %d elements, more than it can hold", id, count)
	}
	// The header and the element table: all the walk reads of a page,
	// but the values of bucket elements.
	if b, err = w.src.view(off, tableEnd); err != nil {
		return fmt.Errorf("%w: read page %d: %v", ErrInvalid, id, err)
	}
	what := pageRef{id: id}
	if count == 0 && (flags == branchPageFlag || depth > 0) {
		// bbolt merges or drops an emptied page when it commits; only a
		// bucket's root leaf may be empty.
		return damaged("%s page %d is empty", pageType(flags), id)
	}
	if flags == branchPageFlag {
		es, err := elems(nil, b, false, count, span, what) // kept across the recursion: its own slice
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := w.tree(e.pgid, depth+1, nest); err != nil {
				return err
			}
		}
		return nil
	}
	es, err := elems(w.leafElems, b, true, count, span, what)
	w.leafElems = es
	if err != nil {
		return err
	}
	// Inline buckets are checked now; buckets with pages of their own
	// after the loop (the walk reuses w.leafElems).
	var roots []uint64
	for i, e := range es {
		if e.flags&bucketLeafFlag == 0 {
			continue
		}
		if e.vsize < bucketHeaderSize {
			return damaged("bucket %d of page %d is %d bytes, too short for a bucket", i, id, e.vsize)
		}
		vstart := e.start + e.ksize
		n := e.vsize
		if n > bucketHeaderSize+w.pageSize {
			n = bucketHeaderSize // only an inline bucket needs more, and it is never this long
		}
		v, err := w.src.view(off+int64(vstart), n)
		if err != nil {
			return fmt.Errorf("%w: read page %d: %v", ErrInvalid, id, err)
		}
		root := order.Uint64(v[0:])
		if root != 0 {
			roots = append(roots, root)
			continue
		}
		if e.vsize != n {
			return damaged("inline bucket %d of page %d is %d bytes, longer than a page", i, id, e.vsize)
		}
		if err := w.inlineBucket(v[bucketHeaderSize:], pageRef{id: id, inline: i + 1}); err != nil {
			return err
		}
	}
	if len(roots) > 0 && nest >= maxBucketDepth {
		return damaged("buckets nest deeper than %d at page %d", maxBucketDepth, id)
	}
	for _, r := range roots {
		if err := w.tree(r, 0, nest+1); err != nil {
			return err
		}
	}
	return nil
}

// inlineBucket checks the page of an inline bucket, held in b: a leaf page
// whose elements lie inside b. bbolt only inlines buckets that hold no
// buckets, so a bucket element here is damage (and would let a walk
// revisit the same bytes).
func (w *walker) inlineBucket(b []byte, what pageRef) error {
	if len(b) < pageHeaderSize {
		return damaged("%s is too short for its page", what)
	}
	if flags := order.Uint16(b[8:]); flags != leafPageFlag {
		return damaged("%s is a %s page, not a leaf page", what, pageType(flags))
	}
	count := int(order.Uint16(b[10:]))
	if pageHeaderSize+count*elemSize > len(b) {
		return damaged("%s has %d elements, more than it can hold", what, count)
	}
	es, err := elems(w.inlineElems, b, true, count, uint64(len(b)), what)
	w.inlineElems = es
	if err != nil {
		return err
	}
	for i, e := range es {
		if e.flags&bucketLeafFlag != 0 {
			return damaged("element %d of %s is a bucket inside an inline bucket", i, what)
		}
	}
	return nil
}

func (w *walker) isSeen(id uint64) bool { return w.seen[id/64]&(1<<(id%64)) != 0 }

// pageType names a page's flags for errors.
func pageType(flags uint16) string {
	switch flags {
	case branchPageFlag:
		return "branch"
	case leafPageFlag:
		return "leaf"
	case metaPageFlag:
		return "meta"
	case freelistPageFlag:
		return "freelist"
	}
	return fmt.Sprintf("unknown (flags %#x)", flags)
}
