;; The ftrace reader's fast path (workloads/formats/ftrace.ts): `#` comments
;; (status 2) and events in the plain shape (status 1)
;;   TASK-PID [CPU] FLAGS SECONDS: swiotlb_bounced: dev_name: NAME dma_mask=HEX dev_addr=HEX size=N MODE
;; with spaces only between fields, lower-case keys, an upper-case MODE ending
;; the line, and at most 15 digits in CPU, the whole seconds and size (exact
;; as doubles), read as the exact parser's regular expressions read them: the
;; task ends at the first `-` followed by a digit (no earlier end can match),
;; and FLAGS is present when the token after it is the timestamp, as the
;; regex's greedy optional group decides. Anything else is left to them
;; (status 0). `npm run wasm` assembles this text into ftrace-scan-bytes.ts;
;; test/model/wasm.test.ts checks the bytes, and test/workloads/fast-paths.test.ts
;; holds the two readings to each other on mutated lines.
;;
;; Memory (one, not shared; the reader grows it): bytes [0, 64) hold the
;; results of the last `bounced` call, the lines are copied in from LINE_BASE
;; (64) on.
;;   f64 @0  whole seconds of the timestamp     f64 @8  CPU      f64 @16 size
;;   i32 @24 first 9 fraction digits, padded    i32 @28 dev_addr's in-page offset
;;   i32 @32 1 for FORCE
(module
  (memory (export "memory") 2)

  ;; JavaScript's \s among latin1 characters: space, \t..\r, no-break space.
  (func $space (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 160)))
      (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5))))

  (func $digit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))

  ;; A hex digit, either case.
  (func $hex (param $c i32) (result i32)
    (i32.or
      (call $digit (local.get $c))
      (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 6))))

  ;; Does [at, end) start with "swiotlb_bounced: "?
  (func $bounced_at (param $at i32) (param $end i32) (result i32)
    (if (i32.gt_s (i32.add (local.get $at) (i32.const 17)) (local.get $end)) (then (return (i32.const 0))))
    (i32.and
      (i32.and
        (i64.eq (i64.load (local.get $at)) (i64.const 0x5f626c746f697773))              ;; "swiotlb_"
        (i64.eq (i64.load offset=8 (local.get $at)) (i64.const 0x3a6465636e756f62)))    ;; "bounced:"
      (i32.eq (i32.load8_u offset=16 (local.get $at)) (i32.const 32))))

  ;; Does [at, end) start with the 8 bytes `word` then the byte `last`?
  (func $word9 (param $at i32) (param $end i32) (param $word i64) (param $last i32) (result i32)
    (if (i32.gt_s (i32.add (local.get $at) (i32.const 9)) (local.get $end)) (then (return (i32.const 0))))
    (i32.and
      (i64.eq (i64.load (local.get $at)) (local.get $word))
      (i32.eq (i32.load8_u offset=8 (local.get $at)) (local.get $last))))

  ;; Is the token [from, to) `\d+\.\d+:`?
  (func $stamp (param $from i32) (param $to i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $from))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $to)))
      (br_if $d (i32.eqz (call $digit (i32.load8_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (if (i32.or
          (i32.or (i32.eq (local.get $i) (local.get $from)) (i32.ge_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
          (i32.ne (i32.load8_u (local.get $i)) (i32.const 46)))
      (then (return (i32.const 0))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (i32.sub (local.get $to) (i32.const 1))))
      (if (i32.eqz (call $digit (i32.load8_u (local.get $i)))) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.eq (i32.load8_u (i32.sub (local.get $to) (i32.const 1))) (i32.const 58)))

  ;; dev_addr's in-page offset: 0 for an all-ones address of 16 or more digits, else its last 3 hex digits.
  (func $addr_low (param $from i32) (param $to i32) (result i32)
    (local $i i32) (local $v i32) (local $c i32)
    (if (i32.ge_s (i32.sub (local.get $to) (local.get $from)) (i32.const 16))
      (then
        (local.set $i (local.get $from))
        (block $notones
          (loop $l
            (br_if $notones (i32.ne (i32.or (i32.load8_u (local.get $i)) (i32.const 32)) (i32.const 102)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_s (local.get $i) (local.get $to))))
          (return (i32.const 0)))))
    (local.set $i (i32.sub (local.get $to) (i32.const 3)))
    (if (i32.lt_s (local.get $i) (local.get $from)) (then (local.set $i (local.get $from))))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $to)))
      (local.set $c (i32.or (i32.load8_u (local.get $i)) (i32.const 32)))
      (local.set $v (i32.add (i32.shl (local.get $v) (i32.const 4))
        (select (i32.sub (local.get $c) (i32.const 48)) (i32.sub (local.get $c) (i32.const 87)) (i32.le_u (local.get $c) (i32.const 57)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $v))

  ;; First index at or after `i` below `end` whose byte is not a space (32).
  (func $spaces (param $i i32) (param $end i32) (result i32)
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (br_if $d (i32.ne (i32.load8_u (local.get $i)) (i32.const 32)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $i))

  ;; First index at or after `i` below `end` whose byte is JavaScript whitespace.
  (func $token (param $i i32) (param $end i32) (result i32)
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (br_if $d (call $space (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $i))

  ;; The line [from, end): 2 for a `#` comment, 1 for an event (results at 0..36), 0 for the exact parser.
  (func (export "bounced") (param $from i32) (param $end i32) (result i32)
    (local $i i32) (local $c i32) (local $s i32) (local $cpu f64) (local $sec f64) (local $size f64) (local $frac i32) (local $k i32)
    (local $t1 i32) (local $e1 i32) (local $t2 i32) (local $e2 i32) (local $stamp i32) (local $stamp_end i32) (local $event i32)
    (local $addr i32) (local $addr_end i32) (local $forced i32) (local $left i32)
    (local.set $i (call $spaces (local.get $from) (local.get $end)))
    (if (i32.eq (local.get $i) (local.get $end)) (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $i)))
    (if (i32.eq (local.get $c) (i32.const 35)) (then (return (i32.const 2))))
    (if (call $space (local.get $c)) (then (return (i32.const 0))))
    ;; TASK: one character or more, to the first '-' followed by a digit; no CR.
    (block $found (loop $task
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $c) (i32.const 13)) (then (return (i32.const 0))))
      (br_if $found (i32.and (i32.eq (local.get $c) (i32.const 45)) (call $digit (i32.load8_u offset=1 (local.get $i)))))
      (br $task)))
    ;; -PID, spaces, [CPU]
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (br_if $d (i32.eqz (call $digit (i32.load8_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.set $s (local.get $i))
    (local.set $i (call $spaces (local.get $i) (local.get $end)))
    (if (i32.or (i32.or (i32.eq (local.get $i) (local.get $s)) (i32.eq (local.get $i) (local.get $end)))
          (i32.ne (i32.load8_u (local.get $i)) (i32.const 91)))
      (then (return (i32.const 0))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (local.set $s (local.get $i))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $i)))
      (br_if $d (i32.eqz (call $digit (local.get $c))))
      (local.set $cpu (f64.add (f64.mul (local.get $cpu) (f64.const 10)) (f64.convert_i32_s (i32.sub (local.get $c) (i32.const 48)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (if (i32.or
          (i32.or (i32.eq (local.get $i) (local.get $s)) (i32.gt_s (i32.sub (local.get $i) (local.get $s)) (i32.const 15)))
          (i32.or (i32.eq (local.get $i) (local.get $end)) (i32.ne (i32.load8_u (local.get $i)) (i32.const 93))))
      (then (return (i32.const 0))))
    ;; Two tokens: FLAGS then SECONDS:, or SECONDS: then swiotlb_bounced:.
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (local.set $s (local.get $i))
    (local.set $t1 (call $spaces (local.get $i) (local.get $end)))
    (local.set $e1 (call $token (local.get $t1) (local.get $end)))
    (local.set $t2 (call $spaces (local.get $e1) (local.get $end)))
    (local.set $e2 (call $token (local.get $t2) (local.get $end)))
    (if (i32.or
          (i32.or (i32.eq (local.get $t1) (local.get $s)) (i32.eq (local.get $e1) (local.get $t1)))
          (i32.or (i32.eq (local.get $t2) (local.get $e1)) (i32.eq (local.get $e2) (local.get $t2))))
      (then (return (i32.const 0))))
    (local.set $event (call $spaces (local.get $e2) (local.get $end)))
    (local.set $stamp (local.get $t2))
    (local.set $stamp_end (local.get $e2))
    (if (i32.or (i32.eq (local.get $event) (local.get $e2))
          (i32.or (i32.eqz (call $stamp (local.get $t2) (local.get $e2))) (i32.eqz (call $bounced_at (local.get $event) (local.get $end)))))
      (then
        (if (i32.or (i32.eqz (call $stamp (local.get $t1) (local.get $e1)))
              (i32.or (i32.ne (local.get $e2) (i32.add (local.get $t2) (i32.const 16))) (i32.eqz (call $bounced_at (local.get $t2) (local.get $end)))))
          (then (return (i32.const 0))))
        (local.set $stamp (local.get $t1))
        (local.set $stamp_end (local.get $e1))
        (local.set $event (local.get $t2))))
    ;; SECONDS (at most 15 digits) and the first 9 fraction digits, zero-padded.
    (local.set $i (local.get $stamp))
    (block $d (loop $l
      (local.set $c (i32.load8_u (local.get $i)))
      (br_if $d (i32.eq (local.get $c) (i32.const 46)))
      (local.set $sec (f64.add (f64.mul (local.get $sec) (f64.const 10)) (f64.convert_i32_s (i32.sub (local.get $c) (i32.const 48)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (if (i32.gt_s (i32.sub (local.get $i) (local.get $stamp)) (i32.const 15)) (then (return (i32.const 0))))
    (local.set $k (i32.add (local.get $i) (i32.const 1)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $k) (i32.add (local.get $i) (i32.const 10))))
      (local.set $frac (i32.add (i32.mul (local.get $frac) (i32.const 10))
        (select (i32.sub (i32.load8_u (local.get $k)) (i32.const 48)) (i32.const 0)
          (i32.lt_s (local.get $k) (i32.sub (local.get $stamp_end) (i32.const 1))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    ;; dev_name: NAME dma_mask=HEX dev_addr=HEX size=N MODE, MODE ending the line.
    (local.set $i (call $spaces (i32.add (local.get $event) (i32.const 17)) (local.get $end)))
    (if (i32.eqz (call $word9 (local.get $i) (local.get $end) (i64.const 0x656d616e5f766564) (i32.const 58))) (then (return (i32.const 0)))) ;; "dev_name:"
    (local.set $i (call $spaces (i32.add (local.get $i) (i32.const 9)) (local.get $end)))
    (local.set $s (local.get $i))
    (local.set $i (call $token (local.get $i) (local.get $end)))
    (if (i32.eq (local.get $i) (local.get $s)) (then (return (i32.const 0))))
    (local.set $s (local.get $i))
    (local.set $i (call $spaces (local.get $i) (local.get $end)))
    (if (i32.or (i32.eq (local.get $i) (local.get $s))
          (i32.eqz (call $word9 (local.get $i) (local.get $end) (i64.const 0x6b73616d5f616d64) (i32.const 61)))) ;; "dma_mask="
      (then (return (i32.const 0))))
    (local.set $i (i32.add (local.get $i) (i32.const 9)))
    (local.set $s (local.get $i))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (br_if $d (i32.eqz (call $hex (i32.load8_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (if (i32.eq (local.get $i) (local.get $s)) (then (return (i32.const 0))))
    (local.set $s (local.get $i))
    (local.set $i (call $spaces (local.get $i) (local.get $end)))
    (if (i32.or (i32.eq (local.get $i) (local.get $s))
          (i32.eqz (call $word9 (local.get $i) (local.get $end) (i64.const 0x726464615f766564) (i32.const 61)))) ;; "dev_addr="
      (then (return (i32.const 0))))
    (local.set $i (i32.add (local.get $i) (i32.const 9)))
    (local.set $addr (local.get $i))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (br_if $d (i32.eqz (call $hex (i32.load8_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.set $addr_end (local.get $i))
    (local.set $i (call $spaces (local.get $i) (local.get $end)))
    (if (i32.or (i32.or (i32.eq (local.get $addr_end) (local.get $addr)) (i32.eq (local.get $i) (local.get $addr_end)))
          (i32.or (i32.gt_s (i32.add (local.get $i) (i32.const 5)) (local.get $end))
            (i32.or (i32.ne (i32.load (local.get $i)) (i32.const 0x657a6973)) (i32.ne (i32.load8_u offset=4 (local.get $i)) (i32.const 61))))) ;; "size="
      (then (return (i32.const 0))))
    (local.set $i (i32.add (local.get $i) (i32.const 5)))
    (local.set $s (local.get $i))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $i)))
      (br_if $d (i32.eqz (call $digit (local.get $c))))
      (local.set $size (f64.add (f64.mul (local.get $size) (f64.const 10)) (f64.convert_i32_s (i32.sub (local.get $c) (i32.const 48)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (if (i32.or (i32.or (i32.eq (local.get $i) (local.get $s)) (i32.gt_s (i32.sub (local.get $i) (local.get $s)) (i32.const 15)))
          (f64.eq (local.get $size) (f64.const 0)))
      (then (return (i32.const 0))))
    (local.set $s (local.get $i))
    (local.set $i (call $spaces (local.get $i) (local.get $end)))
    (if (i32.eq (local.get $i) (local.get $s)) (then (return (i32.const 0))))
    ;; MODE: FORCE, NORMAL or NO_FORCE, exactly to the end of the line.
    (local.set $left (i32.sub (local.get $end) (local.get $i)))
    (local.set $forced (i32.and (i32.eq (local.get $left) (i32.const 5))
      (i32.and (i32.eq (i32.load (local.get $i)) (i32.const 0x43524f46)) (i32.eq (i32.load8_u offset=4 (local.get $i)) (i32.const 69))))) ;; "FORCE"
    (if (i32.eqz (i32.or (local.get $forced)
          (i32.or
            (i32.and (i32.eq (local.get $left) (i32.const 6))
              (i32.and (i32.eq (i32.load (local.get $i)) (i32.const 0x4d524f4e)) (i32.eq (i32.load16_u offset=4 (local.get $i)) (i32.const 0x4c41)))) ;; "NORMAL"
            (i32.and (i32.eq (local.get $left) (i32.const 8)) (i64.eq (i64.load (local.get $i)) (i64.const 0x4543524f465f4f4e)))))) ;; "NO_FORCE"
      (then (return (i32.const 0))))
    (f64.store (i32.const 0) (local.get $sec))
    (f64.store (i32.const 8) (local.get $cpu))
    (f64.store (i32.const 16) (local.get $size))
    (i32.store (i32.const 24) (local.get $frac))
    (i32.store (i32.const 28) (call $addr_low (local.get $addr) (local.get $addr_end)))
    (i32.store (i32.const 32) (local.get $forced))
    (i32.const 1))

  ;; Does [from, end) contain "swiotlb_bounced" anywhere (as String.includes)?
  (func (export "names_bounced") (param $from i32) (param $end i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $from))
    (block $d (loop $l
      (br_if $d (i32.gt_s (i32.add (local.get $i) (i32.const 15)) (local.get $end)))
      (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 115))                           ;; 's' first: most places fail here
        (then
          (if (i32.and
                (i64.eq (i64.load (local.get $i)) (i64.const 0x5f626c746f697773))           ;; "swiotlb_"
                (i64.eq (i64.load offset=7 (local.get $i)) (i64.const 0x6465636e756f625f)))  ;; "_bounced"
            (then (return (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.const 0))
)
