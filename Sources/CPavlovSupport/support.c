#define _GNU_SOURCE
#include <malloc.h>
#include "CPavlovSupport.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t pavlov_interrupt_flag = 0;
_Thread_local int pavlov_teardown_depth = 0;
_Thread_local void **pavlov_list_pool = 0;
_Thread_local int pavlov_list_pool_count = 0;
_Thread_local int pavlov_list_pool_room = 0;
/* Presses not yet noticed by the evaluator, and how many of them force the process to quit
   (0 = never): a long builtin that never polls must not make Ctrl-C useless. */
static volatile sig_atomic_t pending_presses = 0;
static volatile sig_atomic_t force_quit_after = 0;

static void on_sigint(int sig) {
  (void)sig;
  pavlov_interrupt_flag = 1;
  pending_presses++;
  if (force_quit_after > 0 && pending_presses >= force_quit_after) {
    static const char message[] = "\npavlov: quitting (Ctrl-C pressed again before the program could stop)\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
  }
}

void pavlov_set_force_quit_after(int presses) { force_quit_after = presses; }

void pavlov_install_sigint_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR so the REPL can react */
  sigaction(SIGINT, &action, NULL);
}

void pavlov_default_sigint(void) { signal(SIGINT, SIG_DFL); }

/* SIGTERM and SIGHUP stop a script like Ctrl-C (at the next step), so what it printed is
   flushed and the exit status says which signal; a second one takes the default action. */
static volatile sig_atomic_t termination_signal = 0;

static void on_terminate(int sig) {
  if (termination_signal) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  termination_signal = sig;
  pavlov_interrupt_flag = 1;
}

void pavlov_install_termination_handlers(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_terminate;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
}

int pavlov_termination_signal(void) { return termination_signal; }

int pavlov_take_interrupt(void) {
  if (!pavlov_interrupt_flag) return 0;
  pavlov_interrupt_flag = 0;
  pending_presses = 0;
  return 1;
}

int pavlov_interrupt_pending(void) { return pavlov_interrupt_flag ? 1 : 0; }

void pavlov_raise_interrupt(void) { pavlov_interrupt_flag = 1; }

unsigned long pavlov_stack_low(void) {
  pthread_attr_t attributes;
  void *address = 0;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0) return 0;
  if (pthread_attr_getstack(&attributes, &address, &size) != 0) address = 0;
  pthread_attr_destroy(&attributes);
  return (unsigned long)address;
}

struct start_context {
  void (*body)(void *);
  void *context;
};

static void *thread_main(void *raw) {
  struct start_context *start = raw;
  start->body(start->context);
  return NULL;
}

int pavlov_run_with_stack(size_t stack_bytes, void (*body)(void *), void *context) {
  pthread_attr_t attributes;
  pthread_t thread;
  struct start_context start = {body, context};
  if (pthread_attr_init(&attributes) != 0) return -1;
  if (pthread_attr_setstacksize(&attributes, stack_bytes) != 0) return -1;
  if (pthread_create(&thread, &attributes, thread_main, &start) != 0) {
    pthread_attr_destroy(&attributes);
    return -1;
  }
  pthread_attr_destroy(&attributes);
  return pthread_join(thread, NULL);
}

void pavlov_keep_freed_memory(void) {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int pavlov_list_pool_offer_when_full(const void *list) {
  if (pavlov_list_pool_room > 0) return 0;
  // Allocated here rather than as a thread-local array: every thread would carry 128 KiB.
  void **lists = malloc(PAVLOV_LIST_POOL_CAPACITY * sizeof(void *));
  if (!lists) return 0;
  pavlov_list_pool = lists;
  pavlov_list_pool_room = PAVLOV_LIST_POOL_CAPACITY;
  return pavlov_list_pool_offer(list);
}

void pavlov_list_pool_free_array(void) {
  free(pavlov_list_pool);
  pavlov_list_pool = 0;
  pavlov_list_pool_count = 0;
  pavlov_list_pool_room = 0;
}
