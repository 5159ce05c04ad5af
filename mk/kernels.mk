# kernels.mk — libdml.a: the kernels of every ISA built, the dispatcher, the losses.

KERNEL_SRCS := $(ISA_KERNEL_SRCS) kernels/cpu/cpu.c kernels/cpu/dispatch.c $(wildcard kernels/common/*.c) \
               $(wildcard kernels/losses/*.c)
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/%.o)
# The library's private headers are seen by the library alone.
KERNEL_INC  := -Ikernels/common -Ikernels/cpu -Ikernels/losses

$(BUILD)/libdml.a: $(KERNEL_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/kernels/%.o: kernels/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(KERNEL_INC) $(DEPFLAGS) $(ISAFLAGS) -c $< -o $@

# Rebuild everything when the compiler or flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' > $@
FORCE:

## DML_SLOWDOWN=lse_avx2   test only: that dispatch entry runs its kernel twice (bench-check-proof)
# Unset, it changes nothing (kernels/cpu/slowdown.h).
DML_SLOWDOWN ?=
$(BUILD)/kernels/cpu/dispatch.o: ISAFLAGS = $(DISPATCH_DEFS) \
  $(if $(DML_SLOWDOWN),-DDML_TEST_SLOWDOWN=$(DML_SLOWDOWN))
$(BUILD)/kernels/cpu/dispatch.o: $(BUILD)/.slowdown $(wildcard kernels/cpu/slowdown.h)
$(BUILD)/.slowdown: FORCE
	@mkdir -p $(@D)
	@echo '$(DML_SLOWDOWN)' | cmp -s - $@ || echo '$(DML_SLOWDOWN)' > $@
