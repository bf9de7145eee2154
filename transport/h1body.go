package transport

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"sync"
)

// h1body is the body of a response read by the HTTP/1.1 engine. It owns the response's
// connection from the end of the head until the body ends: at a clean end (io.EOF) of a
// body whose connection may be reused, the connection goes back to the pool right away,
// before Close; an error, or a Close before the end, closes the connection instead.
//
// Reads go straight to the connection's buffered reader on the caller's goroutine. Read is
// not for concurrent use (one Read at a time, as for any io.Reader; an overlapping Read
// fails with errConcurrentRead rather than race). Close may be called from any goroutine,
// also while a Read is blocked: it closes the connection, which ends that Read.
//
// It lives inside the Transport's body wrapper (one allocation per response).
type h1body struct {
	e    *engine
	ctx  context.Context
	resp *http.Response // for trailers

	// Set before the body is handed out, then touched only by the one Read running (busy).
	left int64     // Content-Length bytes left; -1: chunked (cr) or until the connection ends
	cr   io.Reader // the chunked decoder over c.br, or nil

	mu     sync.Mutex
	c      *conn       // nil once the connection was released or closed
	stop   func() bool // stops the context's watch over c; nil if none
	reuse  bool        // c may be reused after a clean end
	busy   bool        // a Read is running
	closed bool        // Close was called
	err    error       // sticky: io.EOF after the end, or the error that ended the body
}

func newChunkedReader(br *bufio.Reader) io.Reader { return httputil.NewChunkedReader(br) }

// Read reads the body. At its end it returns io.EOF (with the last bytes when that is
// known then) and has already released the connection.
func (b *h1body) Read(p []byte) (int, error) {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return 0, http.ErrBodyReadAfterClose
	case b.err != nil:
		err := b.err
		b.mu.Unlock()
		return 0, err
	case b.busy:
		b.mu.Unlock()
		return 0, errConcurrentRead
	case len(p) == 0:
		b.mu.Unlock()
		return 0, nil
	}
	b.busy = true
	c := b.c
	b.mu.Unlock()

	n, err := b.read(c, p)

	b.mu.Lock()
	b.busy = false
	if err != nil {
		err = b.end(err)
	}
	b.mu.Unlock()
	return n, err
}

// WriteTo copies the rest of the body to w, reading up to 64 KiB at a time (bufio reads that
// large go straight from the connection into the buffer), so that io.Copy of a large body
// makes few system calls. It ends at the body's end (nil error, connection released as by
// Read) or at the first error of Read or of w.
func (b *h1body) WriteTo(w io.Writer) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	var total int64
	for {
		n, err := b.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// copyBufs holds WriteTo's buffers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// read reads from c, framed.
func (b *h1body) read(c *conn, p []byte) (int, error) {
	switch {
	case b.cr != nil:
		n, err := b.cr.Read(p)
		if err == io.EOF {
			if terr := b.readTrailer(c); terr != nil {
				err = terr
			}
		}
		return n, err
	case b.left >= 0:
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err := c.br.Read(p)
		b.left -= int64(n)
		if b.left == 0 {
			return n, io.EOF
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	default:
		return c.br.Read(p)
	}
}

// readTrailer reads the trailer section after the last chunk into resp.Trailer.
func (b *h1body) readTrailer(c *conn) error {
	c.limitHead(true)
	defer c.limitHead(false)
	if p, err := c.br.Peek(2); err == nil && p[0] == '\r' && p[1] == '\n' {
		c.br.Discard(2) // no trailer: the common case
		return nil
	}
	hdr, err := c.tp.ReadMIMEHeader()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading the response trailer: %w", err)
	}
	if len(hdr) > 0 {
		if b.resp.Trailer == nil {
			b.resp.Trailer = make(http.Header, len(hdr))
		}
		for k, vv := range hdr {
			b.resp.Trailer[k] = vv
		}
	}
	return nil
}

// end records the error that ended the body (io.EOF for a clean end) and lets go of the
// connection, unless Close already did. It returns the error for the caller. b.mu is held.
func (b *h1body) end(err error) error {
	c := b.c
	b.c = nil
	if c == nil { // Close took the connection while this Read was blocked on it
		if err != io.EOF {
			err = fmt.Errorf("reading the response body: %w", err)
		}
		return err
	}
	if err == io.EOF {
		b.e.release(c, b.stop, b.reuse)
	} else {
		interrupted := c.isInterrupted()
		b.e.release(c, b.stop, false)
		if interrupted || b.ctx.Err() != nil {
			err = ctxWatchErr(b.ctx, "reading the response body")
		} else {
			err = fmt.Errorf("reading the response body: %w", err)
		}
	}
	b.err = err
	return err
}

// Close closes the body. Unless the body already ended (which released its connection),
// it closes the connection; a Read blocked on it returns. Later Reads fail with
// http.ErrBodyReadAfterClose. Only the first Close does anything.
func (b *h1body) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	c, stop := b.c, b.stop
	b.c = nil
	b.mu.Unlock()
	if c != nil {
		if stop != nil {
			stop()
		}
		c.close()
	}
	return nil
}
