#include "server/resp_reply.hpp"

#include "protocol/writer.hpp"

namespace basalt {

void RespReplyBuilder::simple(std::string_view s) { resp::append_simple(*out_, s); }
void RespReplyBuilder::write_error(std::string_view text) { resp::append_error(*out_, text); }
void RespReplyBuilder::integer(int64_t v) { resp::append_integer(*out_, v); }
void RespReplyBuilder::bulk(std::string_view s) { resp::append_bulk(*out_, s); }

void RespReplyBuilder::null() {
  if (resp3()) {
    resp::append_null(*out_);
  } else {
    resp::append_null_bulk(*out_);
  }
}

void RespReplyBuilder::null_array() {
  if (resp3()) {
    resp::append_null(*out_);
  } else {
    resp::append_null_array(*out_);
  }
}

void RespReplyBuilder::array(size_t n) { resp::append_array_header(*out_, n); }

void RespReplyBuilder::map(size_t pairs) {
  if (resp3()) {
    resp::append_map_header(*out_, pairs);
  } else {
    resp::append_array_header(*out_, pairs * 2);
  }
}

void RespReplyBuilder::set(size_t n) {
  if (resp3()) {
    resp::append_set_header(*out_, n);
  } else {
    resp::append_array_header(*out_, n);
  }
}

void RespReplyBuilder::dbl(double v) {
  if (resp3()) {
    resp::append_double(*out_, v);
  } else {
    resp::append_double_as_bulk(*out_, v);
  }
}

void RespReplyBuilder::boolean(bool v) {
  if (resp3()) {
    resp::append_boolean(*out_, v);
  } else {
    resp::append_integer(*out_, v ? 1 : 0);
  }
}

void RespReplyBuilder::verbatim(std::string_view format, std::string_view text) {
  if (resp3()) {
    resp::append_verbatim(*out_, text, format);
  } else {
    resp::append_bulk(*out_, text);
  }
}

void RespReplyBuilder::bignum(std::string_view digits) {
  if (resp3()) {
    resp::append_bignum(*out_, digits);
  } else {
    resp::append_bulk(*out_, digits);
  }
}

void RespReplyBuilder::push(size_t n) {
  if (resp3()) {
    resp::append_push_header(*out_, n);
  } else {
    resp::append_array_header(*out_, n);
  }
}

void RespReplyBuilder::attribute(size_t pairs) { resp::append_attribute_header(*out_, pairs); }

}  // namespace basalt
