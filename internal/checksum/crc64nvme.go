package checksum

import (
	"encoding/binary"
	"hash"
	"sync"
)

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 in reflected (LSB-first) form.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// crc64Tables holds the slicing-by-8 tables: t[0] is the classic byte-at-a-time table, and
// t[k][b] is the CRC of byte b followed by k zero bytes, so that eight table lookups advance
// the CRC over eight bytes at once.
var crc64Tables = sync.OnceValue(func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ crc64NVMEPoly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for k := 1; k < 8; k++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[k][i] = crc
		}
	}
	return t
})

// UpdateCRC64NVME returns the CRC-64/NVME of the bytes whose CRC is crc followed by p; start
// with crc = 0. UpdateCRC64NVME(0, []byte("123456789")) is 0xae8b14860a799888.
func UpdateCRC64NVME(crc uint64, p []byte) uint64 {
	t := crc64Tables()
	crc = ^crc
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^
			t[6][crc>>8&0xff] ^
			t[5][crc>>16&0xff] ^
			t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^
			t[2][crc>>40&0xff] ^
			t[1][crc>>48&0xff] ^
			t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return ^crc
}

// NewCRC64NVME returns a hash computing CRC-64/NVME. Its Sum appends the 8-byte big-endian CRC.
func NewCRC64NVME() hash.Hash64 { return new(crc64NVME) }

type crc64NVME struct{ crc uint64 }

func (d *crc64NVME) Write(p []byte) (int, error) {
	d.crc = UpdateCRC64NVME(d.crc, p)
	return len(p), nil
}

func (d *crc64NVME) Sum(b []byte) []byte { return be64(b, d.crc) }
func (d *crc64NVME) Sum64() uint64       { return d.crc }
func (d *crc64NVME) Reset()              { d.crc = 0 }
func (d *crc64NVME) Size() int           { return 8 }
func (d *crc64NVME) BlockSize() int      { return 8 }
