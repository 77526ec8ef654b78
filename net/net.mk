# net.mk — build rules for the network stack (included by the top Makefile).
#
# lwIP is not in the repository: scripts/prepare-third-party.sh unpacks
# Debian's `lwip` source package (version in scripts/versions.sh) into the
# cache and writes its path as LWIP_DIR into $(BUILD)/third-party.mk. Here
# we compile lwIP's core (IPv4, IPv6, TCP, UDP, raw) and its Ethernet layer
# with the kernel's flags plus Kite's port headers (net/port: lwipopts.h,
# arch/cc.h), and add the objects to the kernel through EXTRA_KOBJS.
# Kite's own net/*.c files are picked up by the Makefile's wildcard; they
# get the lwIP include directories below.

ifneq ($(LWIP_DIR),)

LWIP_SRC := $(LWIP_DIR)/src
LWIP_INCLUDES := -Inet/port -I$(LWIP_SRC)/include

LWIP_CORE := init.c def.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c \
  stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c \
  ipv4/etharp.c ipv4/icmp.c ipv4/ip4.c ipv4/ip4_addr.c ipv4/ip4_frag.c \
  ipv6/ethip6.c ipv6/icmp6.c ipv6/inet6.c ipv6/ip6.c ipv6/ip6_addr.c ipv6/ip6_frag.c \
  ipv6/mld6.c ipv6/nd6.c
LWIP_SRCS := $(addprefix core/,$(LWIP_CORE)) netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(BUILD)/lwip/%.o,$(LWIP_SRCS))

# lwIP is third-party code: build it with the kernel's flags but without
# the warnings it was not written for.
LWIP_CFLAGS := $(KCFLAGS) $(LWIP_INCLUDES) -Wno-unused-but-set-variable \
  -Wno-sign-compare -Wno-address -Wno-implicit-fallthrough -Wno-array-bounds

EXTRA_KOBJS += $(LWIP_OBJS)

$(BUILD)/lwip/%.o: $(LWIP_SRC)/%.c net/port/lwipopts.h net/port/arch/cc.h $(KCFLAGS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      lwip/$*.c"
	$(Q)$(CC) $(LWIP_CFLAGS) -c -o $@ $<

# Kite's network code (net/*.c) sees lwIP's headers.
$(BUILD)/kernel/net/%.o: KCFLAGS += $(LWIP_INCLUDES)

endif
