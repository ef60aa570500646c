package dedupe

// fifoBlock is how many entries one block of a fifo holds.
const fifoBlock = 4096

// fifo is a queue kept in blocks of fifoBlock entries. A slice grown by append copies everything queued
// each time it grows (a partition remembers a day of ids, millions of entries), and dropping its front
// needs a compacting copy; here pushing never moves what is queued and popping frees whole blocks.
type fifo[T any] struct {
	blocks [][]T
	head   int // index of the front in blocks[0]
}

func (q *fifo[T]) push(v T) {
	n := len(q.blocks)
	if n == 0 || len(q.blocks[n-1]) == fifoBlock {
		q.blocks = append(q.blocks, make([]T, 0, fifoBlock))
		n++
	}
	q.blocks[n-1] = append(q.blocks[n-1], v)
}

// front is the oldest entry, or nil when the queue is empty.
func (q *fifo[T]) front() *T {
	if len(q.blocks) == 0 {
		return nil
	}
	return &q.blocks[0][q.head]
}

// pop drops the oldest entry; the queue must not be empty.
func (q *fifo[T]) pop() {
	var zero T
	q.blocks[0][q.head] = zero
	q.head++
	if q.head == len(q.blocks[0]) {
		// Only the newest block can be short, so an emptied block is either full or the last one.
		q.blocks[0] = nil
		q.blocks = q.blocks[1:]
		q.head = 0
	}
}

// len is the number of queued entries.
func (q *fifo[T]) len() int {
	n := 0
	for _, b := range q.blocks {
		n += len(b)
	}
	return n - q.head
}
