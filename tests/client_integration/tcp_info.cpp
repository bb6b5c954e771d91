// The kernel's full struct tcp_info comes from <linux/tcp.h>, which cannot share a translation
// unit with <netinet/tcp.h> (included by <uv.h>); hence this file of its own.
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

namespace basalt::testing {

int64_t DataSegmentsOut(int fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return info.tcpi_data_segs_out;
}

}  // namespace basalt::testing
