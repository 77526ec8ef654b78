/*
 * qcount.c — a QEMU TCG plugin that counts what a guest executes and QEMU
 * pays for (bench/qcount.py loads it; docs/performance.md has the numbers).
 *
 * Layer: host tool, not part of Kite. QEMU calls qemu_plugin_install() when
 * it starts with `-plugin qcount.so,out=FILE,loop=0xOFF`; every translated
 * block passes through tb_translated(), which adds an inline counter to the
 * instructions of interest. The counters live in FILE, a page mapped
 * shared, so the host script reads them while the guest runs, at the
 * console markers it watches for (QEMU is killed at the end; nothing is
 * written at exit).
 *
 * Counted, over the whole guest (user, kernel and firmware):
 *   - sfence.vma by kind (QEMU 7.2 empties its whole software TLB for each
 *     of them, whatever rs1 and rs2 say), writes of satp (a new ASID also
 *     empties it) and of stimecmp (one per timer tick), wfi;
 *   - executions of the blocks that start at page offset `loop` and hold
 *     more than MIN_LOOP_INSNS instructions: the 1 KiB body of lmbench's
 *     bread() loop at 0xc6c in Debian's bw_mmap_rd, so passes over a
 *     512 KiB buffer are counted executions / 512.
 *
 * The plugin API (QEMU_PLUGIN_VERSION 1, QEMU 7.2) is declared below by
 * hand: Debian ships no qemu-plugin.h. Counters are plain adds, exact with
 * one hart.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- The part of QEMU's plugin API used here --- */
typedef uint64_t qemu_plugin_id_t;
typedef struct {
  const char *target_name;
  struct {
    int min, cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus, max_vcpus;
    } system;
  };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* --- The counters: their order is bench/qcount.py's COUNTERS --- */
enum {
  C_LOOP,            /* executions of the loop block */
  C_LOOP_TRANSLATED, /* times the loop block was translated */
  C_TRANSLATED,      /* blocks translated */
  C_SFENCE_ALL,      /* sfence.vma x0, x0 */
  C_SFENCE_ADDR,     /* sfence.vma addr, x0 */
  C_SFENCE_ASID,     /* sfence.vma x0, asid */
  C_SFENCE_BOTH,     /* sfence.vma addr, asid */
  C_SATP_WRITE,
  C_STIMECMP_WRITE,
  C_WFI,
  NR_COUNTERS
};

#define MIN_LOOP_INSNS 100
#define CSR_SATP 0x180
#define CSR_STIMECMP 0x14d
#define INSN_WFI 0x10500073u

static volatile uint64_t *counter; /* NR_COUNTERS, in the shared page */
static uint64_t loop_offset = 0xc6c;

/* Which counter an executed 32-bit instruction adds to, or -1. */
static int classify(uint32_t w)
{
  if ((w & 0xfe007fffu) == 0x12000073u) { /* sfence.vma rs1, rs2 */
    bool addr = (w >> 15) & 31, asid = (w >> 20) & 31;
    return C_SFENCE_ALL + addr + 2 * asid;
  }
  if (w == INSN_WFI)
    return C_WFI;
  if ((w & 0x7f) == 0x73 && ((w >> 12) & 3) != 0) { /* csrrw/s/c[i] */
    uint32_t csr = w >> 20, funct3 = (w >> 12) & 7, rs1 = (w >> 15) & 31;
    bool writes = (funct3 & 3) == 1 || rs1 != 0; /* csrrs/c with x0 only read */
    if (writes && csr == CSR_SATP)
      return C_SATP_WRITE;
    if (writes && csr == CSR_STIMECMP)
      return C_STIMECMP_WRITE;
  }
  return -1;
}

static void tb_translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
  size_t n = qemu_plugin_tb_n_insns(tb);
  (void)id;
  counter[C_TRANSLATED]++;
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint32_t w;
    if (qemu_plugin_insn_size(insn) != 4)
      continue;
    memcpy(&w, qemu_plugin_insn_data(insn), 4);
    int c = classify(w);
    if (c >= 0)
      qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, (void *)&counter[c], 1);
  }
  if ((qemu_plugin_tb_vaddr(tb) & 0xfff) == loop_offset && n > MIN_LOOP_INSNS) {
    counter[C_LOOP_TRANSLATED]++;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, (void *)&counter[C_LOOP], 1);
  }
}

/* Arguments: out=FILE (the counters), loop=OFFSET (page offset of the loop block). */
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv)
{
  const char *out = NULL;
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0)
      out = argv[i] + 4;
    else if (strncmp(argv[i], "loop=", 5) == 0)
      loop_offset = strtoull(argv[i] + 5, NULL, 0);
  }
  if (!out)
    return 1;
  int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 4096) < 0)
    return 1;
  counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (counter == MAP_FAILED)
    return 1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_translated);
  return 0;
}
