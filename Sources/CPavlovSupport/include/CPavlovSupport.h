#ifndef CPAVLOV_SUPPORT_H
#define CPAVLOV_SUPPORT_H
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

/// Set by the SIGINT handler; read through `pavlov_interrupt_seen` (not directly).
extern volatile sig_atomic_t pavlov_interrupt_flag;
/// Whether SIGINT arrived and is not yet taken: one load, inlined into the evaluator's tick, so
/// Ctrl-C is noticed at the next loop edge or call however long the previous step took.
static inline int pavlov_interrupt_seen(void) { return pavlov_interrupt_flag != 0; }

/// Installs a SIGINT handler that only sets a flag (async-signal-safe); the interpreter polls it.
void pavlov_install_sigint_handler(void);
/// Restores the default SIGINT action (a script run outside the REPL should still die on Ctrl-C
/// if it is blocked in a system call; the evaluator polls the flag at loop edges and calls).
void pavlov_default_sigint(void);
/// SIGTERM and SIGHUP set the interrupt flag and remember the signal (a second one kills), so a
/// script stops at its next step with its output flushed.
void pavlov_install_termination_handlers(void);
/// The SIGTERM or SIGHUP that stopped the script, or 0.
int pavlov_termination_signal(void);
/// After this many Ctrl-C presses that nothing has noticed yet, the process quits (0: never).
void pavlov_set_force_quit_after(int presses);
/// Returns 1 and clears the flag if SIGINT arrived since the last call.
int pavlov_take_interrupt(void);
/// Peeks at the flag without clearing it.
int pavlov_interrupt_pending(void);
/// Sets the flag (tests use it to simulate Ctrl-C).
void pavlov_raise_interrupt(void);
/// The lowest address of the calling thread's stack (0 if unknown): the evaluator stops a
/// recursion with an error well before reaching it.
unsigned long pavlov_stack_low(void);
/// Where the calling function's frame is on the native stack, for the evaluator's check
/// against `pavlov_stack_low`. Inlined into the caller; taking the address of a Swift local
/// instead gave every call path a stack protector (a canary written and checked per call).
static inline uintptr_t pavlov_frame_address(void) { return (uintptr_t)__builtin_frame_address(0); }
/// Runs `body(context)` on a new thread with `stack_bytes` of stack and waits for it.
/// Deep Pavlov recursion needs far more than the 8 MiB main-thread stack.
int pavlov_run_with_stack(size_t stack_bytes, void (*body)(void *), void *context);
/// Keeps large freed blocks in the heap instead of returning them to the kernel: training frees
/// and reallocates the same buffers every step, and fresh pages cost a fault and a zeroing each.
void pavlov_keep_freed_memory(void);

/// How many list and record deinits are running on this thread, one inside another: a dying
/// container frees its children by plain recursion up to a depth, and past it with a loop.
extern _Thread_local int pavlov_teardown_depth;
static inline int pavlov_teardown_enter(void) {
  if (pavlov_teardown_depth >= 200) return 0;
  pavlov_teardown_depth++;
  return 1;
}
static inline void pavlov_teardown_leave(void) { pavlov_teardown_depth--; }

/// Dead lists of one to three inline items, kept for reuse by the next short list literal
/// (as CPython keeps freed tuples): a tree's nodes die and are rebuilt by the thousand, and
/// glibc's malloc and free cost ~140 instructions a node where the pool costs ~20. Per thread,
/// since a Pavlov value belongs to its interpreter's thread; `PList` fills and drains it.
/// At most 16,384 lists (~1.5 MiB of 96-byte blocks), in an array allocated on a thread's first offer.
enum { PAVLOV_LIST_POOL_CAPACITY = 16384 };
extern _Thread_local void **pavlov_list_pool;
extern _Thread_local int pavlov_list_pool_count;
/// How many lists `pavlov_list_pool` has room for: 0 until the first offer allocates it.
extern _Thread_local int pavlov_list_pool_room;
/// The Swift runtime's uniqueness test, the one `isKnownUniquelyReferenced` calls.
_Bool swift_isUniquelyReferenced_nonNull_native(const void *object);
/// `pavlov_list_pool_offer` on a pool that is full or not yet allocated.
int pavlov_list_pool_offer_when_full(const void *list);
/// Frees the pool's array, which must hold no list (`PList.drainPool`).
void pavlov_list_pool_free_array(void);
/// Takes over the pooled reference to `list` if it is the only reference and there is room.
static inline int pavlov_list_pool_offer(const void *list) {
  if (pavlov_list_pool_count >= pavlov_list_pool_room) return pavlov_list_pool_offer_when_full(list);
  if (!swift_isUniquelyReferenced_nonNull_native(list)) return 0;
  pavlov_list_pool[pavlov_list_pool_count++] = (void *)list;
  return 1;
}
static inline int pavlov_list_pool_size(void) { return pavlov_list_pool_count; }
/// The pooled list at `position` (< `pavlov_list_pool_size()`), still pooled.
static inline void *pavlov_list_pool_at(int position) { return pavlov_list_pool[position]; }
/// The most recently pooled list (its reference passes to the caller), or NULL.
static inline void *pavlov_list_pool_take(void) {
  return pavlov_list_pool_count > 0 ? pavlov_list_pool[--pavlov_list_pool_count] : 0;
}
#endif
