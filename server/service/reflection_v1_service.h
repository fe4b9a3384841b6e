// ReflectionV1Service: gRPC server reflection v1 (grpc.reflection.v1.ServerReflection,
// proto/grpc/reflection/v1/reflection.proto) over a protobuf descriptor pool, beside the
// v1alpha service libgrpc++ serves. Tools that speak only v1 (current grpcurl, Postman)
// then list and call goalsyncd's services unmodified.
//
// Answers list_services with the services the server was built with, and
// file_by_filename, file_containing_symbol and file_containing_extension with the file and
// its imports, transitively, each once; all_extension_numbers_of_type with the numbers the
// pool knows. Unknown names get an error_response with NOT_FOUND, an empty request
// INVALID_ARGUMENT; the stream itself always ends OK.
//
// Thread safety: Answer and the rpc may run on any threads at once; SetServiceNames may be
// called at any time (the plugin calls it once the server is built).
#ifndef GOALSYNC_SERVER_SERVICE_REFLECTION_V1_SERVICE_H_
#define GOALSYNC_SERVER_SERVICE_REFLECTION_V1_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/impl/server_builder_option.h"

namespace goalsync::server {

class ReflectionV1Service final : public grpc::reflection::v1::ServerReflection::Service {
 public:
  // `pool` must outlive the service; by default the pool of every message compiled in.
  explicit ReflectionV1Service(
      const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool())
      : pool_(pool) {}

  // The fully qualified names list_services answers with.
  void SetServiceNames(std::vector<std::string> names);

  // The answer to one request (no I/O).
  grpc::reflection::v1::ServerReflectionResponse Answer(
      const grpc::reflection::v1::ServerReflectionRequest& request);

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>* stream) override;

 private:
  // `file` and everything it imports, or NOT_FOUND with `missing` if it is null.
  void AnswerFile(const google::protobuf::FileDescriptor* file, const std::string& missing,
                  grpc::reflection::v1::ServerReflectionResponse* out);
  // `file` and its imports, transitively, each once, into `out`.
  void AddFileAndImports(const google::protobuf::FileDescriptor* file,
                         grpc::reflection::v1::FileDescriptorResponse* out);

  const google::protobuf::DescriptorPool* const pool_;
  absl::Mutex mu_;
  std::vector<std::string> service_names_ ABSL_GUARDED_BY(mu_);
};

// A ServerBuilder option that serves ReflectionV1Service on the server being built, listing
// the services registered on it (reflection's included).
std::unique_ptr<grpc::ServerBuilderOption> ReflectionV1Option();

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_REFLECTION_V1_SERVICE_H_
