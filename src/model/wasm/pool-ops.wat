;; The swiotlb pool's hot path in WebAssembly: swiotlb_tbl_map_single(),
;; swiotlb_release_slots() and swiotlb_bounce() of src/model/pool.ts, with the
;; area locks and the debugfs counters, on one shared memory that holds the
;; slot metadata, the area lines, the counters, the bounce data and the host
;; buffers (src/model/dma-arena.ts). JavaScript calls one function per map,
;; unmap or copy; the loops over slots, the locks' fast paths and memory.copy
;; run here, at several times the speed of the same code on typed arrays.
;;
;; Addresses are byte offsets in the memory; slot indexes are relative to the
;; pool's slot 0; physical addresses are f64 (exact below 2^53), of which the
;; alignment tests need only the low 32 bits.
;;
;; A pool descriptor (DESC_BYTES = 64, written by pool-layout.ts):
;;   0 list  4 alloc_size  8 pad_slots  12 orig_addr (arrays)  16 area lines
;;   20 io_tlb_mem counters  24 nslabs  28 nareas  32 area_nslabs
;;   36 start (low 32 bits)  40 flags (1: v6.6 rules, 2: mutex lock,
;;   4: free slots tracked as bits, Chao Gao's 2022 bitmap patch: list[i] is
;;   1 for a free slot, a run fits when all its slots are free inside one
;;   segment, and a release merges with nothing)
;;   44 bounce data (-1: none)
;; An area line (64 bytes): lock words at 0, 4, 8; used 12; index 16;
;;   requested bytes 20 (model bookkeeping).
;; The counters (64 bytes): total_used 0, used_hiwater 4, transient 8,
;;   CONFIG_DEBUG_FS 12 (1: kept).
;; A thread's scratch (64 bytes; the results besides the return value, reset
;;   by each call): candidates scanned 0, areas tried past the start 4, lock
;;   acquisitions 8, contended acquisitions 12, ns waited 16 (f64), hiwater
;;   raised to 24 (0: not raised), sz of a failed map 28, locked
;;   read-modify-write instructions and atomic stores executed 32 (what
;;   `bench:micro` counts against the kernel's).
;; Assembled by `npm run wasm` into pool-ops-bytes.ts; test/model/wasm.test.ts
;; checks the bytes are this text's.
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; performance.now() in ms: read only while waiting for a lock.
  (import "env" "now" (func $now (result f64)))

  ;; Lock waits: the paravirt qspinlock's SPIN_THRESHOLD, the mutex's spins,
  ;; the park slices (ns) and the timeout (ms) of src/model/lock.ts.
  (global $spin_threshold i32 (i32.const 32768))
  (global $mutex_spins i32 (i32.const 128))
  (global $ticket_park_ns i64 (i64.const 1000000))
  (global $mutex_park_ns i64 (i64.const 20000000))
  (global $timeout_ms f64 (f64.const 10000))
  ;; The virtual-time engine's touch log (0: off, as in every real run):
  ;; word 0 counts every touch, words 1..4095 hold the first 4095: the lock
  ;; words taken (address) and the io_tlb_mem counter lines written
  ;; (address + 1), in order.
  (global $touch_log (mut i32) (i32.const 0))

  (func (export "set_touch_log") (param $at i32) (global.set $touch_log (local.get $at)))

  (func $touched (param $what i32)
    (local $n i32)
    (local.set $n (i32.load (global.get $touch_log)))
    (if (i32.lt_u (local.get $n) (i32.const 4095))
      (then (i32.store offset=4 (i32.add (global.get $touch_log) (i32.shl (local.get $n) (i32.const 2))) (local.get $what))))
    (i32.store (global.get $touch_log) (i32.add (local.get $n) (i32.const 1))))

  ;; --- locks (same words and protocol as lock.ts, so both can share one) ---

  ;; Take the lock at `word`. Returns 1, or 0 after the timeout.
  (func $lock (param $word i32) (param $mutex i32) (param $scratch i32) (result i32)
    (local $ticket i32) (local $t0 f64) (local $i i32) (local $serving i32)
    (i32.store offset=8 (local.get $scratch) (i32.add (i32.load offset=8 (local.get $scratch)) (i32.const 1)))
    (if (global.get $touch_log) (then (call $touched (local.get $word))))
    (if (local.get $mutex)
      (then
        (call $atomic (local.get $scratch))
        (if (i32.eqz (i32.atomic.rmw.cmpxchg (local.get $word) (i32.const 0) (i32.const 1))) (then (return (i32.const 1))))
        (call $contended (local.get $scratch))
        (local.set $t0 (call $now))
        (loop $spin
          (if (i32.eqz (i32.atomic.load (local.get $word)))
            (then (call $atomic (local.get $scratch)) (if (i32.eqz (i32.atomic.rmw.cmpxchg (local.get $word) (i32.const 0) (i32.const 1)))
              (then (call $waited (local.get $scratch) (local.get $t0)) (return (i32.const 1))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $spin (i32.lt_u (local.get $i) (global.get $mutex_spins))))
        ;; announce a sleeper (2) so the releaser notifies
        (loop $park
          (call $atomic (local.get $scratch))
          (if (i32.eqz (i32.atomic.rmw.xchg (local.get $word) (i32.const 2)))
            (then (call $waited (local.get $scratch) (local.get $t0)) (return (i32.const 1))))
          (drop (memory.atomic.wait32 (local.get $word) (i32.const 2) (global.get $mutex_park_ns)))
          (if (f64.gt (f64.sub (call $now) (local.get $t0)) (global.get $timeout_ms)) (then (return (i32.const 0))))
          (br $park))))
    ;; ticket lock: word = next ticket, word + 4 = serving, word + 8 = parked waiters
    (call $atomic (local.get $scratch))
    (local.set $ticket (i32.atomic.rmw.add (local.get $word) (i32.const 1)))
    (if (i32.eq (i32.atomic.load offset=4 (local.get $word)) (local.get $ticket)) (then (return (i32.const 1))))
    (call $contended (local.get $scratch))
    (local.set $t0 (call $now))
    (loop $wait
      (local.set $i (i32.const 0))
      (loop $spin
        (if (i32.eq (i32.atomic.load offset=4 (local.get $word)) (local.get $ticket))
          (then (call $waited (local.get $scratch) (local.get $t0)) (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $spin (i32.lt_u (local.get $i) (global.get $spin_threshold))))
      ;; pv_wait(): sleep while the ticket served is not ours, until kicked
      (call $atomic (local.get $scratch))
      (call $atomic (local.get $scratch))
      (drop (i32.atomic.rmw.add offset=8 (local.get $word) (i32.const 1)))
      (local.set $serving (i32.atomic.load offset=4 (local.get $word)))
      (if (i32.ne (local.get $serving) (local.get $ticket))
        (then (drop (memory.atomic.wait32 offset=4 (local.get $word) (local.get $serving) (global.get $ticket_park_ns)))))
      (drop (i32.atomic.rmw.sub offset=8 (local.get $word) (i32.const 1)))
      (if (f64.gt (f64.sub (call $now) (local.get $t0)) (global.get $timeout_ms)) (then (return (i32.const 0))))
      (br $wait))
    (i32.const 0))

  ;; One more locked instruction executed (scratch word 8).
  (func $atomic (param $scratch i32)
    (i32.store offset=32 (local.get $scratch) (i32.add (i32.load offset=32 (local.get $scratch)) (i32.const 1))))

  (func $contended (param $scratch i32)
    (i32.store offset=12 (local.get $scratch) (i32.add (i32.load offset=12 (local.get $scratch)) (i32.const 1))))

  (func $waited (param $scratch i32) (param $t0 f64)
    (f64.store offset=16 (local.get $scratch)
      (f64.add (f64.load offset=16 (local.get $scratch)) (f64.mul (f64.sub (call $now) (local.get $t0)) (f64.const 1e6)))))

  ;; Release the lock at `word`, waking a waiter that sleeps.
  (func $unlock (param $word i32) (param $mutex i32) (param $scratch i32)
    (call $atomic (local.get $scratch))
    (if (local.get $mutex)
      (then
        (if (i32.ne (i32.atomic.rmw.sub (local.get $word) (i32.const 1)) (i32.const 1))
          (then
            (call $atomic (local.get $scratch))
            (i32.atomic.store (local.get $word) (i32.const 0))
            (drop (memory.atomic.notify (local.get $word) (i32.const 1)))))
        (return)))
    (drop (i32.atomic.rmw.add offset=4 (local.get $word) (i32.const 1)))
    (if (i32.atomic.load offset=8 (local.get $word))
      (then (drop (memory.atomic.notify offset=4 (local.get $word) (i32.const -1))))))

  ;; bench:micro's floor: `n` uncontended lock+unlock pairs of the lock at
  ;; `word` (flags as a descriptor's: 2 = mutex), all in here, so no call
  ;; from JavaScript is timed with them.
  (func (export "lock_pairs") (param $word i32) (param $mutex i32) (param $scratch i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $lock (local.get $word) (local.get $mutex) (local.get $scratch)))
        (call $unlock (local.get $word) (local.get $mutex) (local.get $scratch))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))

  ;; --- counters (debugfs) ---

  ;; inc_used_and_hiwater(): raise total_used, and used_hiwater with a CAS
  ;; loop; the new mark goes to the scratch when this call raised it.
  (func $inc_used (param $mem i32) (param $nslots i32) (param $scratch i32)
    (local $new i32) (local $old i32) (local $seen i32)
    (if (i32.eqz (i32.load offset=12 (local.get $mem))) (then (return)))
    (if (global.get $touch_log) (then (call $touched (i32.or (local.get $mem) (i32.const 1)))))
    (call $atomic (local.get $scratch))
    (local.set $new (i32.add (i32.atomic.rmw.add (local.get $mem) (local.get $nslots)) (local.get $nslots)))
    (local.set $old (i32.atomic.load offset=4 (local.get $mem)))
    (block $done
      (loop $try
        (br_if $done (i32.le_s (local.get $new) (local.get $old)))
        (call $atomic (local.get $scratch))
        (local.set $seen (i32.atomic.rmw.cmpxchg offset=4 (local.get $mem) (local.get $old) (local.get $new)))
        (if (i32.eq (local.get $seen) (local.get $old))
          (then (i32.store offset=24 (local.get $scratch) (local.get $new)) (br $done)))
        (local.set $old (local.get $seen))
        (br $try))))

  ;; dec_used()
  (func $dec_used (param $mem i32) (param $nslots i32) (param $scratch i32)
    (if (i32.load offset=12 (local.get $mem))
      (then
        (if (global.get $touch_log) (then (call $touched (i32.or (local.get $mem) (i32.const 1)))))
        (call $atomic (local.get $scratch)) (drop (i32.atomic.rmw.sub (local.get $mem) (local.get $nslots))))))

  ;; --- the search ---

  ;; Free slots before `slot`, back to its segment start, count on from
  ;; `count`: the last one gets count + 1. (The kernel stops where
  ;; io_tlb_offset(i) is IO_TLB_SEGSIZE - 1 going down, i.e. below the start.)
  ;; Four slots per step where all four are free: the walk is most of a
  ;; small map or unmap (a whole free segment is 128 slots).
  (func $renumber_before (param $list i32) (param $slot i32) (param $count i32)
    (local $i i32) (local $seg i32) (local $p i32) (local $v v128)
    (local.set $seg (i32.and (local.get $slot) (i32.const -128)))
    (local.set $i (local.get $slot))
    (block $done
      (block $tail
        ;; one at a time down to a multiple of 4
        (loop $head
          (br_if $done (i32.le_s (local.get $i) (local.get $seg)))
          (if (i32.and (local.get $i) (i32.const 3))
            (then
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (local.set $p (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2))))
              (br_if $done (i32.eqz (i32.load (local.get $p))))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (i32.store (local.get $p) (local.get $count))
              (br $head))))
        ;; four at a time: slots i-4 .. i-1 get count+4 .. count+1
        (local.set $v (i32x4.add (i32x4.splat (local.get $count)) (v128.const i32x4 4 3 2 1)))
        (loop $four
          (local.set $p (i32.add (local.get $list) (i32.shl (i32.sub (local.get $i) (i32.const 4)) (i32.const 2))))
          (br_if $tail (i32.eqz (i32x4.all_true (v128.load (local.get $p)))))
          (v128.store (local.get $p) (local.get $v))
          (local.set $v (i32x4.add (local.get $v) (v128.const i32x4 4 4 4 4)))
          (local.set $count (i32.add (local.get $count) (i32.const 4)))
          (local.set $i (i32.sub (local.get $i) (i32.const 4)))
          (br_if $done (i32.le_s (local.get $i) (local.get $seg)))
          (local.set $p (i32.sub (local.get $p) (i32.const 16)))
          (br_if $tail (i32.eqz (i32x4.all_true (v128.load (local.get $p)))))
          (v128.store (local.get $p) (local.get $v))
          (local.set $v (i32x4.add (local.get $v) (v128.const i32x4 4 4 4 4)))
          (local.set $count (i32.add (local.get $count) (i32.const 4)))
          (local.set $i (i32.sub (local.get $i) (i32.const 4)))
          (br_if $four (i32.gt_s (local.get $i) (local.get $seg))))
        (br $done))
      ;; an allocated slot among the next four
      (loop $one
        (br_if $done (i32.le_s (local.get $i) (local.get $seg)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $p (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2))))
        (br_if $done (i32.eqz (i32.load (local.get $p))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (i32.store (local.get $p) (local.get $count))
        (br $one))))

;; Bits mode: `nslots` free slots from `slot` inside one 128-slot segment
  ;; (the bitmap patch's find_next_zero_bit() test, with its segment cap).
  (func $run_free (param $list i32) (param $slot i32) (param $nslots i32) (result i32)
    (local $j i32)
    (if (i32.gt_u (i32.add (i32.and (local.get $slot) (i32.const 127)) (local.get $nslots)) (i32.const 128))
      (then (return (i32.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $nslots)))
        (if (i32.eqz (i32.load (i32.add (local.get $list) (i32.shl (i32.add (local.get $slot) (local.get $j)) (i32.const 2)))))
          (then (return (i32.const 0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; swiotlb_search_pool_area() (newest) or swiotlb_area_find_slots() (v6.6):
  ;; `alloc_size` bytes (offset and round-up included) in area `area`, under
  ;; its lock. Returns the first allocated slot, -1 when none fits, -2 when
  ;; the lock timed out.
  (func $search_area (export "search_area")
    (param $desc i32) (param $scratch i32) (param $area i32) (param $orig_lo i32) (param $orig_nz i32)
    (param $alloc_size i32) (param $align i32) (param $min i32) (param $requested i32)
    (result i32)
    (local $nslots i32) (local $offset i32) (local $match i32) (local $stride i32) (local $area_nslabs i32)
    (local $line i32) (local $mutex i32) (local $slot_base i32) (local $index i32) (local $checked i32)
    (local $scanned i32) (local $slot i32) (local $tlb i32) (local $list i32) (local $alloc i32) (local $i i32)
    (local $next i32) (local $start_lo i32) (local $orig_bits i32)
    (local $want v128) (local $run i32) (local $p i32) (local $j i32) (local $mask i32) (local $bits i32)
    (local.set $bits (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 4)))
    (local.set $nslots (i32.shr_u (i32.add (local.get $alloc_size) (i32.const 2047)) (i32.const 11)))
    (local.set $offset (i32.and (i32.and (local.get $orig_lo) (local.get $min)) (i32.const 2047)))
    (if (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 1))
      (then
        ;; v6.6: one test, the slot's bits under min | alloc | page mask (above the slot) match orig's
        (local.set $match (i32.or (local.get $min) (local.get $align)))
        (if (i32.ge_u (local.get $alloc_size) (i32.const 4096)) (then (local.set $match (i32.or (local.get $match) (i32.const 4095)))))
        (local.set $match (i32.and (local.get $match) (i32.const -2048)))
        (local.set $stride (i32.add (i32.shr_u (local.get $match) (i32.const 11)) (i32.const 1)))
        (local.set $align (i32.const 0)))
      (else
        (local.set $match (local.get $min))
        ;; page rule: >= PAGE_SIZE with no masks stays page aligned
        (if (i32.and (i32.and (i32.eqz (local.get $align)) (i32.eqz (local.get $match))) (i32.ge_u (local.get $alloc_size) (i32.const 4096)))
          (then (local.set $align (i32.const 4095))))
        (local.set $align (i32.or (local.get $align) (i32.const 2047)))
        ;; bits the in-allocation offset preserves need no slot match
        (local.set $match (i32.and (local.get $match) (i32.xor (local.get $align) (i32.const -1))))
        (local.set $stride (i32.add (i32.shr_u
          (select (local.get $align) (local.get $match) (i32.gt_u (local.get $align) (local.get $match)))
          (i32.const 11)) (i32.const 1)))))
    (local.set $area_nslabs (i32.load offset=32 (local.get $desc)))
    (local.set $line (i32.add (i32.load offset=16 (local.get $desc)) (i32.shl (local.get $area) (i32.const 6))))
    (local.set $mutex (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 2)))
    (if (i32.eqz (call $lock (local.get $line) (local.get $mutex) (local.get $scratch))) (then (return (i32.const -2))))
    (if (i32.gt_u (local.get $nslots) (i32.sub (local.get $area_nslabs) (i32.load offset=12 (local.get $line))))
      (then (call $unlock (local.get $line) (local.get $mutex) (local.get $scratch)) (return (i32.const -1))))
    (local.set $list (i32.load (local.get $desc)))
    (local.set $start_lo (i32.load offset=36 (local.get $desc)))
    (local.set $orig_bits (i32.and (local.get $orig_lo) (local.get $match)))
    (local.set $slot_base (i32.mul (local.get $area) (local.get $area_nslabs)))
    (local.set $index (i32.load offset=16 (local.get $line)))
    (local.set $slot (i32.const -1))
    (block $done
      (if (i32.and (i32.eq (local.get $stride) (i32.const 1)) (i32.eqz (local.get $bits)))
        (then
          ;; every slot a candidate (no alignment to test): the same walk,
          ;; four list[] entries per step
          (local.set $want (i32x4.splat (local.get $nslots)))
          (block $hit
            (loop $run
              (br_if $done (i32.ge_u (local.get $checked) (local.get $area_nslabs)))
              ;; the slots from index on, up to the area's end or the candidates left
              (local.set $run (i32.sub (local.get $area_nslabs) (local.get $index)))
              (if (i32.gt_u (local.get $run) (i32.sub (local.get $area_nslabs) (local.get $checked)))
                (then (local.set $run (i32.sub (local.get $area_nslabs) (local.get $checked)))))
              (local.set $p (i32.add (local.get $list) (i32.shl (i32.add (local.get $slot_base) (local.get $index)) (i32.const 2))))
              (local.set $j (i32.const 0))
              (block $tail
                (loop $four
                  (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $run)))
                  (local.set $mask (i32x4.bitmask (i32x4.ge_s
                    (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $want))))
                  (if (local.get $mask)
                    (then (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask)))) (br $hit)))
                  (local.set $j (i32.add (local.get $j) (i32.const 4)))
                  (br $four)))
              (loop $one
                (if (i32.lt_u (local.get $j) (local.get $run))
                  (then
                    (br_if $hit (i32.ge_s (i32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $nslots)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $one))))
              (local.set $scanned (i32.add (local.get $scanned) (local.get $run)))
              (local.set $checked (i32.add (local.get $checked) (local.get $run)))
              (local.set $index (i32.add (local.get $index) (local.get $run)))
              (if (i32.ge_u (local.get $index) (local.get $area_nslabs)) (then (local.set $index (i32.const 0))))
              (br $run)))
          (local.set $scanned (i32.add (local.get $scanned) (i32.add (local.get $j) (i32.const 1))))
          (local.set $index (i32.add (local.get $index) (local.get $j)))
          (local.set $slot (i32.add (local.get $slot_base) (local.get $index)))
          (br $done)))
      (loop $scan
        (br_if $done (i32.ge_u (local.get $checked) (local.get $area_nslabs)))
        (local.set $scanned (i32.add (local.get $scanned) (i32.const 1)))
        (local.set $tlb (i32.add (local.get $start_lo) (i32.shl (i32.add (local.get $slot_base) (local.get $index)) (i32.const 11))))
        (if (i32.or
              (i32.ne (i32.and (local.get $tlb) (local.get $align)) (i32.const 0))
              (i32.and (local.get $orig_nz) (i32.ne (i32.and (local.get $tlb) (local.get $match)) (local.get $orig_bits))))
          (then
            ;; misaligned: one slot on
            (local.set $index (i32.add (local.get $index) (i32.const 1)))
            (if (i32.ge_u (local.get $index) (local.get $area_nslabs)) (then (local.set $index (i32.const 0))))
            (local.set $checked (i32.add (local.get $checked) (i32.const 1)))
            (br $scan)))
        (if (if (result i32) (local.get $bits)
              (then (call $run_free (local.get $list) (i32.add (local.get $slot_base) (local.get $index)) (local.get $nslots)))
              (else (i32.ge_s (i32.load (i32.add (local.get $list) (i32.shl (i32.add (local.get $slot_base) (local.get $index)) (i32.const 2))))
                (local.get $nslots))))
          (then (local.set $slot (i32.add (local.get $slot_base) (local.get $index))) (br $done)))
        ;; too short: a stride on
        (local.set $index (i32.add (local.get $index) (local.get $stride)))
        (if (i32.ge_u (local.get $index) (local.get $area_nslabs)) (then (local.set $index (i32.const 0))))
        (local.set $checked (i32.add (local.get $checked) (local.get $stride)))
        (br $scan)))
    (i32.store (local.get $scratch) (i32.add (i32.load (local.get $scratch)) (local.get $scanned)))
    (if (i32.lt_s (local.get $slot) (i32.const 0))
      (then (call $unlock (local.get $line) (local.get $mutex) (local.get $scratch)) (return (i32.const -1))))
    ;; list = 0 and alloc_size = bytes from each slot to the allocation end
    (local.set $alloc (i32.load offset=4 (local.get $desc)))
    (block $marked
      (loop $mark
        (br_if $marked (i32.ge_u (local.get $i) (local.get $nslots)))
        (i32.store (i32.add (local.get $list) (i32.shl (i32.add (local.get $slot) (local.get $i)) (i32.const 2))) (i32.const 0))
        (i32.store (i32.add (local.get $alloc) (i32.shl (i32.add (local.get $slot) (local.get $i)) (i32.const 2)))
          (i32.sub (local.get $alloc_size) (i32.add (local.get $offset) (i32.shl (local.get $i) (i32.const 11)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $mark)))
    ;; counts: the free run before the buffer now ends at it (bits: nothing to renumber)
    (if (i32.eqz (local.get $bits)) (then (call $renumber_before (local.get $list) (local.get $slot) (i32.const 0))))
    (local.set $next (i32.add (local.get $index) (local.get $nslots)))
    (i32.store offset=16 (local.get $line) (select (i32.const 0) (local.get $next) (i32.ge_u (local.get $next) (local.get $area_nslabs))))
    (i32.store offset=12 (local.get $line) (i32.add (i32.load offset=12 (local.get $line)) (local.get $nslots)))
    (i32.store offset=20 (local.get $line) (i32.add (i32.load offset=20 (local.get $line)) (local.get $requested)))
    (call $unlock (local.get $line) (local.get $mutex) (local.get $scratch))
    (call $inc_used (i32.load offset=20 (local.get $desc)) (local.get $nslots) (local.get $scratch))
    (local.get $slot))

  ;; swiotlb_find_slots() without CONFIG_SWIOTLB_DYNAMIC: area
  ;; cpu & (nareas - 1), then the following ones, wrapping. Returns the slot,
  ;; -1, or -2 (lock timeout).
  (func $find_slots (export "find_slots")
    (param $desc i32) (param $scratch i32) (param $start i32) (param $orig_lo i32) (param $orig_nz i32)
    (param $alloc_size i32) (param $align i32) (param $min i32) (param $requested i32)
    (result i32)
    (local $area i32) (local $nareas i32) (local $index i32)
    (local.set $nareas (i32.load offset=28 (local.get $desc)))
    (local.set $area (local.get $start))
    (loop $next
      (local.set $index (call $search_area (local.get $desc) (local.get $scratch) (local.get $area)
        (local.get $orig_lo) (local.get $orig_nz) (local.get $alloc_size) (local.get $align) (local.get $min) (local.get $requested)))
      (if (i32.ne (local.get $index) (i32.const -1)) (then (return (local.get $index))))
      (local.set $area (i32.add (local.get $area) (i32.const 1)))
      (if (i32.ge_u (local.get $area) (local.get $nareas)) (then (local.set $area (i32.const 0))))
      (if (i32.ne (local.get $area) (local.get $start))
        (then
          (i32.store offset=4 (local.get $scratch) (i32.add (i32.load offset=4 (local.get $scratch)) (i32.const 1)))
          (br $next))))
    (i32.const -1))

  ;; The tail of swiotlb_tbl_map_single(): pad_slots and orig_addr of the
  ;; slots found at `index`; returns the bounce address relative to the pool.
  (func $finish_map (export "finish_map")
    (param $desc i32) (param $index i32) (param $orig f64) (param $offset i32) (param $size i32)
    (result f64)
    (local $pad i32) (local $i i32) (local $data_slots i32) (local $orig_at i32)
    (local.set $pad (i32.shr_u (local.get $offset) (i32.const 11)))
    (local.set $index (i32.add (local.get $index) (local.get $pad)))
    (i32.store (i32.add (i32.load offset=8 (local.get $desc)) (i32.shl (local.get $index) (i32.const 2))) (local.get $pad))
    (local.set $data_slots (i32.sub (i32.shr_u (i32.add (local.get $size) (i32.const 2047)) (i32.const 11)) (local.get $pad)))
    (local.set $orig_at (i32.add (i32.load offset=12 (local.get $desc)) (i32.shl (local.get $index) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $data_slots)))
        (f64.store (i32.add (local.get $orig_at) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (local.get $orig) (f64.convert_i32_u (i32.shl (local.get $i) (i32.const 11)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (f64.convert_i32_u (i32.add (i32.shl (local.get $index) (i32.const 11)) (i32.and (local.get $offset) (i32.const 2047)))))

  ;; swiotlb_tbl_map_single() without the copy: the offset kept from `orig`,
  ;; the padded size, the search from area `start`, then pad_slots and
  ;; orig_addr. Returns the bounce address relative to the pool, -1 when the
  ;; pool is full (the scratch then holds the sz the kernel prints), -2 when
  ;; a lock timed out.
  (func $map (export "map")
    (param $desc i32) (param $scratch i32) (param $start i32) (param $orig f64) (param $mapping_size i32)
    (param $align i32) (param $min i32)
    (result f64)
    (local $orig_lo i32) (local $offset i32) (local $size i32) (local $index i32) (local $v66 i32)
    (call $clear (local.get $scratch))
    (local.set $orig_lo (i32.wrap_i64 (i64.trunc_sat_f64_u (local.get $orig))))
    (local.set $v66 (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 1)))
    ;; swiotlb_align_offset(); v6.6 keeps the sub-slot offset only
    (local.set $offset (i32.and (i32.and (local.get $orig_lo) (local.get $min))
      (select (i32.const 2047) (i32.or (local.get $align) (i32.const 2047)) (local.get $v66))))
    (local.set $size (i32.add (local.get $mapping_size) (local.get $offset)))
    (if (i32.and (i32.ne (local.get $align) (i32.const 0)) (i32.eqz (local.get $v66)))
      (then (local.set $size (i32.and (i32.add (local.get $size) (local.get $align)) (i32.xor (local.get $align) (i32.const -1))))))
    (local.set $index (call $find_slots (local.get $desc) (local.get $scratch) (local.get $start)
      (local.get $orig_lo) (f64.ne (local.get $orig) (f64.const 0)) (local.get $size) (local.get $align) (local.get $min) (local.get $mapping_size)))
    (if (i32.lt_s (local.get $index) (i32.const 0))
      (then
        (i32.store offset=28 (local.get $scratch) (select (local.get $mapping_size) (local.get $size) (local.get $v66)))
        (return (f64.convert_i32_s (local.get $index)))))
    (call $finish_map (local.get $desc) (local.get $index) (local.get $orig) (local.get $offset) (local.get $size)))

  ;; swiotlb_release_slots() for the buffer at pool-relative address
  ;; `tlb_rel`, under its area's lock, then dec_used(). Returns 1, or 0 when
  ;; the lock timed out.
  (func $release (export "release")
    (param $desc i32) (param $scratch i32) (param $tlb_rel i32) (param $min i32) (param $requested i32)
    (result i32)
    (local $offset i32) (local $index i32) (local $nslots i32) (local $line i32) (local $mutex i32)
    (local $list i32) (local $alloc i32) (local $pad i32) (local $orig i32) (local $end i32) (local $count i32) (local $i i32) (local $bits i32)
    (call $clear (local.get $scratch))
    (local.set $list (i32.load (local.get $desc)))
    (local.set $alloc (i32.load offset=4 (local.get $desc)))
    (local.set $pad (i32.load offset=8 (local.get $desc)))
    (local.set $orig (i32.load offset=12 (local.get $desc)))
    (local.set $offset (i32.and (i32.and (local.get $tlb_rel) (local.get $min)) (i32.const 2047)))
    (local.set $index (i32.shr_u (i32.sub (local.get $tlb_rel) (local.get $offset)) (i32.const 11)))
    (local.set $index (i32.sub (local.get $index) (i32.load (i32.add (local.get $pad) (i32.shl (local.get $index) (i32.const 2))))))
    (local.set $nslots (i32.shr_u (i32.add (i32.add
      (i32.load (i32.add (local.get $alloc) (i32.shl (local.get $index) (i32.const 2)))) (local.get $offset)) (i32.const 2047)) (i32.const 11)))
    (local.set $line (i32.add (i32.load offset=16 (local.get $desc))
      (i32.shl (i32.div_u (local.get $index) (i32.load offset=32 (local.get $desc))) (i32.const 6))))
    (local.set $mutex (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 2)))
    (if (i32.eqz (call $lock (local.get $line) (local.get $mutex) (local.get $scratch))) (then (return (i32.const 0))))
    ;; merge with the free run after the buffer, inside the segment (a buffer
    ;; that ends the pool, as only a transient pool's can, has none); bits:
    ;; each slot's bit is set and nothing merges
    (local.set $bits (i32.and (i32.load offset=40 (local.get $desc)) (i32.const 4)))
    (local.set $end (i32.add (local.get $index) (local.get $nslots)))
    (if (i32.and (i32.and
          (i32.lt_u (local.get $end) (i32.and (i32.add (local.get $index) (i32.const 128)) (i32.const -128)))
          (i32.lt_u (local.get $end) (i32.load offset=24 (local.get $desc))))
          (i32.eqz (local.get $bits)))
      (then (local.set $count (i32.load (i32.add (local.get $list) (i32.shl (local.get $end) (i32.const 2)))))))
    (local.set $i (local.get $end))
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $i) (local.get $index)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (i32.store (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2))) (select (i32.const 1) (local.get $count) (local.get $bits)))
        (f64.store (i32.add (local.get $orig) (i32.shl (local.get $i) (i32.const 3))) (f64.const -1))
        (i32.store (i32.add (local.get $alloc) (i32.shl (local.get $i) (i32.const 2))) (i32.const 0))
        (i32.store (i32.add (local.get $pad) (i32.shl (local.get $i) (i32.const 2))) (i32.const 0))
        (br $next)))
    (if (i32.eqz (local.get $bits)) (then (call $renumber_before (local.get $list) (local.get $index) (local.get $count))))
    (i32.store offset=20 (local.get $line) (i32.sub (i32.load offset=20 (local.get $line)) (local.get $requested)))
    (i32.store offset=12 (local.get $line) (i32.sub (i32.load offset=12 (local.get $line)) (local.get $nslots)))
    (call $unlock (local.get $line) (local.get $mutex) (local.get $scratch))
    (call $dec_used (i32.load offset=20 (local.get $desc)) (local.get $nslots) (local.get $scratch))
    (i32.const 1))

  ;; swiotlb_bounce(): `size` bytes between the bounce buffer at pool-relative
  ;; `tlb_rel` and the original recorded in its slot, whose host byte is
  ;; host_at + (address - host_base); `to_device`: original -> bounce. A copy
  ;; longer than the rest of the allocation is clamped. Returns the bytes copied.
  (func $bounce (export "bounce")
    (param $desc i32) (param $tlb_rel i32) (param $size i32) (param $to_device i32) (param $min i32)
    (param $host_at i32) (param $host_base f64)
    (result i32)
    (local $index i32) (local $orig f64) (local $alloc_size i32) (local $tlb_offset i32) (local $host i32) (local $bounce i32)
    (local.set $index (i32.shr_u (local.get $tlb_rel) (i32.const 11)))
    (local.set $orig (f64.load (i32.add (i32.load offset=12 (local.get $desc)) (i32.shl (local.get $index) (i32.const 3)))))
    (if (f64.eq (local.get $orig) (f64.const -1)) (then (return (i32.const 0))))
    (local.set $alloc_size (i32.load (i32.add (i32.load offset=4 (local.get $desc)) (i32.shl (local.get $index) (i32.const 2)))))
    (local.set $tlb_offset (i32.sub (i32.and (local.get $tlb_rel) (i32.const 2047))
      (i32.and (i32.and (i32.wrap_i64 (i64.trunc_sat_f64_u (local.get $orig))) (local.get $min)) (i32.const 2047))))
    (local.set $alloc_size (i32.sub (local.get $alloc_size) (local.get $tlb_offset)))
    (if (i32.gt_s (local.get $size) (local.get $alloc_size)) (then (local.set $size (local.get $alloc_size))))
    (local.set $host (i32.add (local.get $host_at)
      (i32.wrap_i64 (i64.trunc_sat_f64_s (f64.add (f64.sub (local.get $orig) (local.get $host_base)) (f64.convert_i32_s (local.get $tlb_offset)))))))
    (local.set $bounce (i32.add (i32.load offset=44 (local.get $desc)) (local.get $tlb_rel)))
    (if (local.get $to_device)
      (then (memory.copy (local.get $bounce) (local.get $host) (local.get $size)))
      (else (memory.copy (local.get $host) (local.get $bounce) (local.get $size))))
    (local.get $size))

  ;; The DMA layer's map in one call: map, then copy the mapping from the
  ;; original (always, whatever the direction, as swiotlb_tbl_map_single()).
  (func (export "map_copy")
    (param $desc i32) (param $scratch i32) (param $start i32) (param $orig f64) (param $mapping_size i32)
    (param $align i32) (param $min i32) (param $host_at i32) (param $host_base f64)
    (result f64)
    (local $tlb f64)
    (local.set $tlb (call $map (local.get $desc) (local.get $scratch) (local.get $start) (local.get $orig)
      (local.get $mapping_size) (local.get $align) (local.get $min)))
    (if (f64.ge (local.get $tlb) (f64.const 0))
      (then (drop (call $bounce (local.get $desc) (i32.trunc_f64_u (local.get $tlb)) (local.get $mapping_size) (i32.const 1)
        (local.get $min) (local.get $host_at) (local.get $host_base)))))
    (local.get $tlb))

  ;; The DMA layer's unmap in one call: copy `copy_back` bytes back to the
  ;; original (0: none), then release the slots. Returns 1, or 0 when the
  ;; lock timed out.
  (func (export "unmap_copy")
    (param $desc i32) (param $scratch i32) (param $tlb_rel i32) (param $min i32) (param $requested i32)
    (param $copy_back i32) (param $host_at i32) (param $host_base f64)
    (result i32)
    (if (local.get $copy_back)
      (then (drop (call $bounce (local.get $desc) (local.get $tlb_rel) (local.get $copy_back) (i32.const 0)
        (local.get $min) (local.get $host_at) (local.get $host_base)))))
    (call $release (local.get $desc) (local.get $scratch) (local.get $tlb_rel) (local.get $min) (local.get $requested)))

  ;; bench:search's loop in WebAssembly, the allocator alone as a C loop
  ;; calls the kernel's: `n` operations of 32 bytes at `ops` (0 kind: 0 map,
  ;; 1 unmap; 4 id; 8 cpu; 12 size; 16 min_align_mask; 20 alloc_align_mask;
  ;; 24 orig f64), each map's pool-relative address (-1: failed) kept in the
  ;; f64 table at `tlbs` by id for its unmap, which carries the map's size
  ;; and mask. Returns 1, or 0 when a lock timed out.
  (func (export "replay") (param $desc i32) (param $scratch i32) (param $ops i32) (param $n i32) (param $tlbs i32) (result i32)
    (local $op i32) (local $end i32) (local $at i32) (local $tlb f64) (local $areas i32)
    (local.set $areas (i32.sub (i32.load offset=28 (local.get $desc)) (i32.const 1)))
    (local.set $op (local.get $ops))
    (local.set $end (i32.add (local.get $ops) (i32.shl (local.get $n) (i32.const 5))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $op) (local.get $end)))
        (local.set $at (i32.add (local.get $tlbs) (i32.shl (i32.load offset=4 (local.get $op)) (i32.const 3))))
        (if (i32.eqz (i32.load (local.get $op)))
          (then
            (local.set $tlb (call $map (local.get $desc) (local.get $scratch)
              (i32.and (i32.load offset=8 (local.get $op)) (local.get $areas)) (f64.load offset=24 (local.get $op))
              (i32.load offset=12 (local.get $op)) (i32.load offset=20 (local.get $op)) (i32.load offset=16 (local.get $op))))
            (if (f64.eq (local.get $tlb) (f64.const -2)) (then (return (i32.const 0))))
            (f64.store (local.get $at) (local.get $tlb)))
          (else
            (if (f64.ge (f64.load (local.get $at)) (f64.const 0))
              (then
                (if (i32.eqz (call $release (local.get $desc) (local.get $scratch) (i32.trunc_f64_u (f64.load (local.get $at)))
                      (i32.load offset=16 (local.get $op)) (i32.load offset=12 (local.get $op))))
                  (then (return (i32.const 0))))))
            (f64.store (local.get $at) (f64.const -1))))
        (local.set $op (i32.add (local.get $op) (i32.const 32)))
        (br $next)))
    (i32.const 1))

  ;; memcpy: `len` bytes from `src` to `dst`.
  (func (export "copy") (param $dst i32) (param $src i32) (param $len i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len)))

  ;; Reset a thread's scratch before a call.
  (func $clear (export "clear") (param $scratch i32)
    (i64.store (local.get $scratch) (i64.const 0))
    (i64.store offset=8 (local.get $scratch) (i64.const 0))
    (f64.store offset=16 (local.get $scratch) (f64.const 0))
    (i64.store offset=24 (local.get $scratch) (i64.const 0))
    (i64.store offset=32 (local.get $scratch) (i64.const 0)))
)
