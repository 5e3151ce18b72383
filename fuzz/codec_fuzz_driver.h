// The body shared by the four protocol-codec targets: one request through a codec the way the
// pipeline takes it (ResolveOperation, ParseInput, the generic Validator, the error response),
// for one of the given services.
//
// Input: a request in fuzz_support.h's text form, then three bytes (the input's last three, read
// from the end): the service (index into `models`, modulo their number), and a 16-bit operation
// index used when the request names no operation the service has, so that every input reaches
// ParseInput and the Validator.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "aws/model/service_model.h"
#include "aws/protocol/codec.h"

namespace sagetrail::fuzz {

// Called with what ParseInput produced, for checks of the codec's own (e.g. writing it back).
using ParsedInputCheck =
    std::function<void(const aws::ServiceModel&, const aws::Operation&, const boost::json::value&)>;

void RunCodecInput(const aws::ProtocolCodec& codec,
                   const std::vector<const aws::ServiceModel*>& models, const uint8_t* data,
                   size_t size, const ParsedInputCheck& check = {});

}  // namespace sagetrail::fuzz
