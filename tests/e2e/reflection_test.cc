// gRPC server reflection v1 (grpc.reflection.v1.ServerReflection) against a real goalsyncd,
// with a gRPC client on one stream: the services listed, files by name, symbol and
// extension with every import they need (a descriptor pool builds from the answers alone),
// extension numbers, and NOT_FOUND / INVALID_ARGUMENT answers. And grpcurl, if installed.
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using grpc::reflection::v1::ServerReflection;
using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;
using ::testing::Contains;
using ::testing::IsSupersetOf;

class ReflectionV1Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    server_ = new testing::GoalsyncdProcess(dir_->Sub("data"));
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  // Sends every request on one stream and returns the answers, in order.
  static std::vector<ServerReflectionResponse> Ask(const std::vector<ServerReflectionRequest>& requests) {
    auto stub = ServerReflection::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    auto stream = stub->ServerReflectionInfo(&ctx);
    std::vector<ServerReflectionResponse> out;
    for (const ServerReflectionRequest& r : requests) {
      EXPECT_TRUE(stream->Write(r));
      ServerReflectionResponse resp;
      EXPECT_TRUE(stream->Read(&resp));
      out.push_back(resp);
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    return out;
  }
  static ServerReflectionResponse AskOne(const ServerReflectionRequest& r) { return Ask({r})[0]; }

  // The files of a file_descriptor_response, parsed, in order.
  static std::vector<google::protobuf::FileDescriptorProto> Files(const ServerReflectionResponse& r) {
    std::vector<google::protobuf::FileDescriptorProto> files;
    for (const std::string& bytes : r.file_descriptor_response().file_descriptor_proto()) {
      EXPECT_TRUE(files.emplace_back().ParseFromString(bytes));
    }
    return files;
  }

  // Builds `name` in a fresh pool from `files` alone: null if an import is missing.
  static void ExpectBuildsAlone(const std::vector<google::protobuf::FileDescriptorProto>& files,
                                const std::string& name, const std::string& symbol) {
    google::protobuf::SimpleDescriptorDatabase db;
    std::set<std::string> names;
    for (const auto& f : files) {
      EXPECT_TRUE(names.insert(f.name()).second) << f.name() << " sent twice";
      db.Add(f);
    }
    google::protobuf::DescriptorPool pool(&db);
    ASSERT_NE(pool.FindFileByName(name), nullptr) << name << " does not build from the answer";
    EXPECT_NE(pool.FindFileContainingSymbol(symbol), nullptr) << symbol;
  }

  static testing::TempDir* dir_;
  static testing::GoalsyncdProcess* server_;
};

testing::TempDir* ReflectionV1Test::dir_ = nullptr;
testing::GoalsyncdProcess* ReflectionV1Test::server_ = nullptr;

TEST_F(ReflectionV1Test, ListsTheServicesServed) {
  ServerReflectionRequest r;
  r.set_host("localhost");
  r.set_list_services("");
  ServerReflectionResponse resp = AskOne(r);
  EXPECT_EQ(resp.valid_host(), "localhost");
  EXPECT_EQ(resp.original_request().list_services(), "");
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.push_back(s.name());
  EXPECT_THAT(names, IsSupersetOf({"goalsync.v1.EventLog", "goalsync.v1.PlanService",
                                   "goalsync.v1.Admin", "goalsync.v1.Audit",
                                   "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                   "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST_F(ReflectionV1Test, FilesBySymbolAndNameComeWithEveryImport) {
  ServerReflectionRequest service, method, message, field, by_name;
  service.set_file_containing_symbol("goalsync.v1.EventLog");
  method.set_file_containing_symbol("goalsync.v1.EventLog.Append");
  message.set_file_containing_symbol("goalsync.v1.AppendRequest");
  field.set_file_containing_symbol("goalsync.v1.AppendRequest.workspace");
  by_name.set_file_by_filename("goalsync/v1/plan_service.proto");
  std::vector<ServerReflectionResponse> answers = Ask({service, method, message, field, by_name});
  for (int i = 0; i < 4; ++i) {
    std::vector<google::protobuf::FileDescriptorProto> files = Files(answers[i]);
    ASSERT_FALSE(files.empty()) << answers[i].DebugString();
    EXPECT_EQ(files[0].name(), "goalsync/v1/log.proto");  // the file asked for comes first
    EXPECT_GE(files.size(), 2u);  // log.proto imports event.proto, at least
    ExpectBuildsAlone(files, "goalsync/v1/log.proto", "goalsync.v1.EventLog.Append");
  }
  std::vector<google::protobuf::FileDescriptorProto> plan = Files(answers[4]);
  ASSERT_FALSE(plan.empty());
  EXPECT_EQ(plan[0].name(), "goalsync/v1/plan_service.proto");
  ExpectBuildsAlone(plan, "goalsync/v1/plan_service.proto", "goalsync.v1.PlanService.GetState");
}

TEST_F(ReflectionV1Test, ExtensionsOfATypeAndTheFileOfOne) {
  // goalsyncd links etcd's API, whose gogoproto options extend descriptor.proto's messages.
  ServerReflectionRequest numbers;
  numbers.set_all_extension_numbers_of_type("google.protobuf.FieldOptions");
  ServerReflectionResponse resp = AskOne(numbers);
  ASSERT_TRUE(resp.has_all_extension_numbers_response()) << resp.DebugString();
  EXPECT_EQ(resp.all_extension_numbers_response().base_type_name(), "google.protobuf.FieldOptions");
  ASSERT_GT(resp.all_extension_numbers_response().extension_number_size(), 0);
  const int number = resp.all_extension_numbers_response().extension_number(0);

  ServerReflectionRequest file;
  file.mutable_file_containing_extension()->set_containing_type("google.protobuf.FieldOptions");
  file.mutable_file_containing_extension()->set_extension_number(number);
  std::vector<google::protobuf::FileDescriptorProto> files = Files(AskOne(file));
  ASSERT_FALSE(files.empty());
  bool defines = false;
  for (const auto& ext : files[0].extension()) {
    defines |= ext.number() == number && absl::EndsWith(ext.extendee(), "google.protobuf.FieldOptions");
  }
  EXPECT_TRUE(defines) << files[0].name() << " does not define extension " << number;
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.name());
  EXPECT_THAT(names, Contains("google/protobuf/descriptor.proto"));
  ExpectBuildsAlone(files, files[0].name(), "google.protobuf.FieldOptions");
}

TEST_F(ReflectionV1Test, UnknownNamesAreNotFoundAndAnEmptyRequestIsInvalid) {
  ServerReflectionRequest symbol, name, type, ext, empty;
  symbol.set_file_containing_symbol("goalsync.v1.NoSuchThing");
  name.set_file_by_filename("goalsync/v1/no_such.proto");
  type.set_all_extension_numbers_of_type("goalsync.v1.NoSuchMessage");
  ext.mutable_file_containing_extension()->set_containing_type("google.protobuf.FieldOptions");
  ext.mutable_file_containing_extension()->set_extension_number(1);
  std::vector<ServerReflectionResponse> answers = Ask({symbol, name, type, ext, empty});
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(answers[i].error_response().error_code(), grpc::StatusCode::NOT_FOUND)
        << answers[i].DebugString();
    EXPECT_FALSE(answers[i].error_response().error_message().empty());
  }
  EXPECT_EQ(answers[4].error_response().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReflectionV1Test, GrpcurlListsAndDescribes) {
  if (testing::RunCommand("command -v grpcurl").exit_code != 0) {
    GTEST_SKIP() << "grpcurl is not installed";
  }
  testing::CommandResult list = testing::RunCommand("grpcurl -plaintext " + server_->address() + " list");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "goalsync.v1.EventLog")) << list.out;
  testing::CommandResult describe = testing::RunCommand(
      "grpcurl -plaintext " + server_->address() + " describe goalsync.v1.EventLog.Append");
  ASSERT_EQ(describe.exit_code, 0) << describe.out;
  EXPECT_TRUE(absl::StrContains(describe.out, "AppendRequest")) << describe.out;
}

}  // namespace
}  // namespace goalsync
