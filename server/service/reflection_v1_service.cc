#include "server/service/reflection_v1_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"

namespace goalsync::server {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

namespace {

void SetError(grpc::StatusCode code, std::string message, ServerReflectionResponse* out) {
  out->mutable_error_response()->set_error_code(static_cast<int32_t>(code));
  out->mutable_error_response()->set_error_message(std::move(message));
}

}  // namespace

void ReflectionV1Service::SetServiceNames(std::vector<std::string> names) {
  absl::MutexLock lock(&mu_);
  service_names_ = std::move(names);
}

void ReflectionV1Service::AddFileAndImports(const FileDescriptor* file,
                                            grpc::reflection::v1::FileDescriptorResponse* out) {
  // Breadth first from the file asked for, so that it comes first.
  std::set<std::string> seen{file->name()};
  std::vector<const FileDescriptor*> queue{file};
  for (size_t i = 0; i < queue.size(); ++i) {
    google::protobuf::FileDescriptorProto proto;
    queue[i]->CopyTo(&proto);
    proto.SerializeToString(out->add_file_descriptor_proto());
    for (int d = 0; d < queue[i]->dependency_count(); ++d) {
      const FileDescriptor* dep = queue[i]->dependency(d);
      if (seen.insert(dep->name()).second) queue.push_back(dep);
    }
  }
}

void ReflectionV1Service::AnswerFile(const FileDescriptor* file, const std::string& missing,
                                     ServerReflectionResponse* out) {
  if (file == nullptr) {
    SetError(grpc::StatusCode::NOT_FOUND, missing, out);
  } else {
    AddFileAndImports(file, out->mutable_file_descriptor_response());
  }
}

ServerReflectionResponse ReflectionV1Service::Answer(const ServerReflectionRequest& request) {
  ServerReflectionResponse out;
  out.set_valid_host(request.host());
  *out.mutable_original_request() = request;
  switch (request.message_request_case()) {
    case ServerReflectionRequest::kListServices: {
      absl::MutexLock lock(&mu_);
      for (const std::string& name : service_names_) {
        out.mutable_list_services_response()->add_service()->set_name(name);
      }
      break;
    }
    case ServerReflectionRequest::kFileByFilename:
      AnswerFile(pool_->FindFileByName(request.file_by_filename()),
                 absl::StrCat("no file ", request.file_by_filename()), &out);
      break;
    case ServerReflectionRequest::kFileContainingSymbol:
      AnswerFile(pool_->FindFileContainingSymbol(request.file_containing_symbol()),
                 absl::StrCat("no symbol ", request.file_containing_symbol()), &out);
      break;
    case ServerReflectionRequest::kFileContainingExtension: {
      const auto& ext = request.file_containing_extension();
      const Descriptor* type = pool_->FindMessageTypeByName(ext.containing_type());
      const FieldDescriptor* field =
          type == nullptr ? nullptr : pool_->FindExtensionByNumber(type, ext.extension_number());
      AnswerFile(field == nullptr ? nullptr : field->file(),
                 absl::StrCat("no extension ", ext.extension_number(), " of ",
                              ext.containing_type()),
                 &out);
      break;
    }
    case ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const Descriptor* type = pool_->FindMessageTypeByName(request.all_extension_numbers_of_type());
      if (type == nullptr) {
        SetError(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("no message type ", request.all_extension_numbers_of_type()), &out);
        break;
      }
      std::vector<const FieldDescriptor*> extensions;
      pool_->FindAllExtensions(type, &extensions);
      auto* numbers = out.mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type->full_name());
      for (const FieldDescriptor* f : extensions) numbers->add_extension_number(f->number());
      break;
    }
    case ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
      SetError(grpc::StatusCode::INVALID_ARGUMENT, "the request asks for nothing", &out);
      break;
  }
  return out;
}

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext* /*ctx*/,
    grpc::ServerReaderWriter<ServerReflectionResponse, ServerReflectionRequest>* stream) {
  ServerReflectionRequest request;
  while (stream->Read(&request)) {
    if (!stream->Write(Answer(request))) break;
  }
  return grpc::Status::OK;
}

namespace {

// Registers the service when the server is built and gives it the server's service names
// once every service is registered.
class ReflectionV1Plugin final : public grpc::ServerBuilderPlugin {
 public:
  std::string name() override { return "goalsync_reflection_v1"; }
  void InitServer(grpc::ServerInitializer* si) override { si->RegisterService(service_); }
  void Finish(grpc::ServerInitializer* si) override {
    service_->SetServiceNames(*si->GetServiceList());
  }
  void ChangeArguments(const std::string& /*name*/, void* /*value*/) override {}
  bool has_sync_methods() const override { return true; }

 private:
  std::shared_ptr<ReflectionV1Service> service_ = std::make_shared<ReflectionV1Service>();
};

class ReflectionV1BuilderOption final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<ReflectionV1Plugin>());
  }
};

}  // namespace

std::unique_ptr<grpc::ServerBuilderOption> ReflectionV1Option() {
  return std::make_unique<ReflectionV1BuilderOption>();
}

}  // namespace goalsync::server
