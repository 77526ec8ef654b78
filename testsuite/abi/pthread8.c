/*
 * pthread8.c — a pthread workout (testsuite/abi): 8 threads, a mutex, a
 * condition variable (a producer and 8 consumers), a barrier, thread-local
 * storage and pthread_join's return values. run.sh runs it once with -v
 * (one line per check) and then 100 times in a row quietly: it must exit
 * 0 every time. User space, musl static.
 */
#include "check.h"
#include <pthread.h>

#define NT 8
#define INCS 5000
#define ITEMS 800
#define ROUNDS 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int queue[ITEMS], head, tail, closed;
static long consumed_sum;
static int slots[NT], barrier_bad, serials;
static __thread long tls_value;
static __thread char tls_pad[64] = "initial";

static void *worker(void *arg)
{
  long id = (long)arg;
  if (tls_value != 0 || strcmp(tls_pad, "initial") != 0)
    return (void *)-1L;
  tls_value = id * 1000;
  /* mutex */
  for (int i = 0; i < INCS; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  /* barrier rounds */
  for (int r = 1; r <= ROUNDS; r++) {
    slots[id] = r;
    int b = pthread_barrier_wait(&barrier);
    if (b == PTHREAD_BARRIER_SERIAL_THREAD)
      __atomic_fetch_add(&serials, 1, __ATOMIC_SEQ_CST);
    for (int k = 0; k < NT; k++)
      if (slots[k] < r)
        __atomic_fetch_add(&barrier_bad, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&barrier);
  }
  /* consumer */
  long mine = 0;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (head == tail && !closed)
      pthread_cond_wait(&more, &lock);
    if (head == tail && closed) {
      pthread_mutex_unlock(&lock);
      break;
    }
    mine += queue[head++];
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  consumed_sum += mine;
  pthread_mutex_unlock(&lock);
  if (tls_value != id * 1000)
    return (void *)-2L;
  return (void *)(id * 2);
}

int main(int argc, char **argv)
{
  int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
  abi_family = "pthread8";
  pthread_barrier_init(&barrier, NULL, NT);
  pthread_t t[NT];
  int created = 0;
  for (long i = 0; i < NT; i++)
    created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
  long expect_sum = 0;
  for (int i = 0; i < ITEMS; i++) {
    pthread_mutex_lock(&lock);
    queue[tail++] = i;
    expect_sum += i;
    pthread_cond_signal(&more);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  closed = 1;
  pthread_cond_broadcast(&more);
  pthread_mutex_unlock(&lock);
  int joined_ok = 0;
  for (long i = 0; i < created; i++) {
    void *ret = 0;
    if (pthread_join(t[i], &ret) == 0 && ret == (void *)(i * 2))
      joined_ok++;
  }
  int ok_create = created == NT, ok_join = joined_ok == NT, ok_mutex = counter == (long)NT * INCS;
  int ok_cond = consumed_sum == expect_sum, ok_barrier = barrier_bad == 0 && serials == ROUNDS;
  int ok_tls = tls_value == 0 && strcmp(tls_pad, "initial") == 0;
  if (verbose) {
    CHECK("create-8-threads", ok_create);
    CHECKF("join-return-values-and-tls", ok_join, "%d of %d joined with the right value", joined_ok, NT);
    CHECKF("mutex-counter", ok_mutex, "counter %ld", counter);
    CHECKF("condvar-queue", ok_cond, "sum %ld want %ld", consumed_sum, expect_sum);
    CHECKF("barrier", ok_barrier, "%d early passes, %d serial threads", barrier_bad, serials);
    CHECK("tls-main-untouched", ok_tls);
  }
  return ok_create && ok_join && ok_mutex && ok_cond && ok_barrier && ok_tls ? 0 : 1;
}
