import Testing
@testable import Calls
