module FaceBrain.Tests.Training.TestTrainer

open System.IO
open Expecto
open FaceBrain.Models
open FaceBrain.Training
open FaceBrain.Training.Data
open FaceBrain.Training.Identity
open FaceBrain.Training.Loop
open FaceBrain.Training.Optim
open FaceBrain.Training.Checkpoints
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open FaceBrain.Tests.Training.TrainingTestSupport

let private spec = ModelSpec(ModelKind.ResNet50, Width = 4, InputSize = 32, NumClasses = 4)

let private optionsWith dir epochs lr resume seed =
    TrainerOptions(epochs, 8, OptimizerSpec(OptimizerKind.Sgd, lr, 0.9, 1e-4), ScheduleKind.Cosine, seed, dir, Resume = resume, WarmupEpochs = 1)

let private options dir epochs lr = optionsWith dir epochs lr false 11L

let private taskIn (format: NumericFormat) (data: FaceTensors) =
    let split = FaceBrain.Data.Splits.Stratified(data.LabelArray, 0.25, 11)
    let net = Network.Create(spec, cpu (), seed = 11L)
    let aug = Augmentation(CropPad = 2, Flip = true, Jitter = 0.1)
    net, IdentityTask(net, data.Subset split.Train, data.Subset split.Test, aug, 0.1, cpu (), format)

let private task = taskIn NumericFormat.Default

/// The names of the module's conv weights that are not channels-last.
let private notChannelsLast (m: TorchSharp.torch.nn.Module) =
    [ for struct (name, p) in m.named_parameters() do
        if p.dim() = 4L && not (FaceBrain.Core.Torch.ChannelsLast.Is p) then yield sprintf "%s %A" name (p.stride()) ]

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Training.Trainer" [
        testCase "identity training: the loss decreases and held-out accuracy beats chance on planted classes" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 16 32 0.2 1UL
            let net, t = task data
            use _ = net
            let adamw = TrainerOptions(4, 8, OptimizerSpec(OptimizerKind.AdamW, 0.01, 0.9, 0.0), ScheduleKind.Constant, 11L, dir.Path)
            let run = Trainer.Run(t, adamw)
            let m = run.Metrics
            Expect.equal m.Count 4 "four epochs"
            Expect.isLessThan m.[3].TrainLoss m.[0].TrainLoss "loss decreases"
            Expect.isGreaterThan (m |> Seq.map (fun e -> e.HeldoutAccuracy) |> Seq.max) 0.25 "held-out accuracy above chance (0.25) at some epoch"
            Expect.equal (filesIn dir.Path) [| "checkpoint.ckpt"; "metrics.json"; "metrics.tsv" |] "checkpoint and metrics, no temp files"
            let tsv = File.ReadAllLines(dir.File "metrics.tsv")
            Expect.equal tsv.Length 5 "header + 4 epochs"
            Expect.stringStarts tsv.[0] "epoch\ttrain_loss\ttrain_accuracy\theldout_accuracy" "header"

        testCase "resume gives the same weights as an uninterrupted run (CPU)" <| fun () ->
            use data = planted 4 4 32 0.5 2UL
            use full = new TempDir()
            let netA, ta = task data
            use _ = netA
            Trainer.Run(ta, options full.Path 3 0.05) |> ignore
            use cut = new TempDir()
            let netB, tb = task data
            use _ = netB
            // a run killed right after its first epoch's checkpoint
            Expect.throws (fun () -> Trainer.Run(tb, options cut.Path 3 0.05, epochDone = fun m -> if m.Epoch = 1 then failwith "killed") |> ignore) "killed"
            let netC, tc = task data
            use _ = netC
            let resumed = Trainer.Run(tc, optionsWith cut.Path 3 0.05 true 11L)
            Expect.equal resumed.FirstEpochRun 2 "continued from epoch 2"
            Expect.equal resumed.Metrics.Count 3 "metrics of all epochs"
            Expect.equal (stateBytes netC.Module) (stateBytes netA.Module) "byte-identical weights and BN statistics"

        testCase "a NaN loss stops with a clear message and keeps the last good checkpoint" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 6 32 0.5 3UL
            let net = Network.Create(spec, cpu (), seed = 11L)
            use _ = net
            use train = data.Subset [| 0 .. 19 |]
            use test = data.Subset [| 20 .. 23 |]
            let t = IdentityTask(net, train, test, Augmentation.None, 0.0, cpu ())
            let mutable saved = [||]
            // after epoch 1 is checkpointed, the inputs turn to NaN, so epoch 2's first loss is NaN
            let poison (m: EpochMetrics) =
                saved <- File.ReadAllBytes(dir.File "checkpoint.ckpt")
                train.Images.fill_(TorchSharp.Scalar.op_Implicit nan) |> ignore
            expectFailure<FaceBrain.Core.DivergedException> [ "training stopped: the loss became NaN"; "epoch 2, step 1"; "last good checkpoint (epoch 1)"; "lower --lr" ] (fun () ->
                Trainer.Run(t, options dir.Path 3 0.01, epochDone = poison))
            Expect.equal (File.ReadAllBytes(dir.File "checkpoint.ckpt")) saved "epoch 1's checkpoint untouched"
            Expect.equal (Checkpoint.ReadInfo(dir.File "checkpoint.ckpt")).Epoch 1 "still epoch 1"

        testCase "an existing checkpoint is not overwritten without --resume, and resume checks the run" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 4 32 0.5 4UL
            let net, t = task data
            use _ = net
            Trainer.Run(t, options dir.Path 1 0.01) |> ignore
            let net2, t2 = task data
            use _ = net2
            expectInputError [ "checkpoint.ckpt"; "already exists"; "--resume" ] (fun () -> Trainer.Run(t2, options dir.Path 1 0.01))
            expectInputError [ "--seed 11, not 12" ] (fun () -> Trainer.Run(t2, optionsWith dir.Path 1 0.01 true 12L))
            use empty = new TempDir()
            expectInputError [ "checkpoint not found" ] (fun () -> Trainer.Run(t2, optionsWith empty.Path 1 0.01 true 11L))

        testCase "a checkpoint's model.pt is a plain state dict; its info names the run" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 4 32 0.5 5UL
            let net, t = task data
            use _ = net
            Trainer.Run(t, options dir.Path 1 0.01) |> ignore
            let info = Checkpoint.ReadInfo(dir.File "checkpoint.ckpt")
            Expect.equal (info.Task, info.Epoch, info.Model) ("identity", 1, spec) "task, epoch, model spec"
            Expect.equal (List.ofSeq info.Classes) [ "id0"; "id1"; "id2"; "id3" ] "class names"
            use fresh = Network.Create(spec, cpu (), seed = 99L)
            Checkpoint.LoadModel(dir.File "checkpoint.ckpt", fresh.Module) |> ignore
            Expect.equal (stateBytes fresh.Module) (stateBytes net.Module) "weights restored"

        testCase "bf16 training: finite losses, bf16 weights in the checkpoint, which load into an fp32 network" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 8 32 0.3 6UL
            let net, t = taskIn (NumericFormat(Precision.Bf16, false)) data
            use _ = net
            Expect.isTrue (net.Module.parameters() |> Seq.forall (fun p -> p.dtype = TorchSharp.torch.bfloat16)) "the network is converted once, by the task"
            let run = Trainer.Run(t, options dir.Path 2 0.01)
            for m in run.Metrics do Expect.isTrue (System.Double.IsFinite m.TrainLoss) "finite loss"
            use fresh = Network.Create(spec, cpu (), seed = 99L)
            Checkpoint.LoadModel(dir.File "checkpoint.ckpt", fresh.Module) |> ignore
            Expect.isTrue (fresh.Module.parameters() |> Seq.forall (fun p -> p.dtype = TorchSharp.torch.float32)) "loaded into fp32"
            for trained, loaded in Seq.zip (net.Module.parameters()) (fresh.Module.parameters()) do
                use widened = trained.to_type(TorchSharp.torch.float32)
                Expect.isTrue (widened.allclose(loaded, 0.0, 0.0)) "the bf16 weights, exactly (bf16 -> fp32 is exact)"
            use x = TorchSharp.torch.randn(2L, 3L, 32L, 32L)
            use y = fresh.Forward(x)
            Expect.isTrue (y.isfinite().all().item<bool>()) "the loaded network runs"

        testCase "channels-last training: its first epoch as NCHW's, it saves and resumes in its layout, and a resume in another layout is refused" <| fun () ->
            use data = planted 4 4 32 0.5 7UL
            use nchw = new TempDir()
            let netA, ta = task data
            use _ = netA
            let a = Trainer.Run(ta, options nchw.Path 2 0.0001)
            use cl = new TempDir()
            let netB, tb = taskIn (NumericFormat(Precision.Fp32, true)) data
            use _ = netB
            Expect.equal (notChannelsLast netB.Module) [] "conv weights channels-last"
            Expect.throws (fun () -> Trainer.Run(tb, options cl.Path 2 0.0001, epochDone = fun m -> if m.Epoch = 1 then failwith "killed") |> ignore) "killed"
            Expect.isEmpty (notChannelsLast netB.Module) "still channels-last after the checkpoint"
            let netC, tc = taskIn (NumericFormat(Precision.Fp32, true)) data
            use _ = netC
            let b = Trainer.Run(tc, optionsWith cl.Path 2 0.0001 true 11L)
            Expect.equal b.FirstEpochRun 2 "resumed at epoch 2"
            use whole = new TempDir()
            let netE, te = taskIn (NumericFormat(Precision.Fp32, true)) data
            use _ = netE
            let e = Trainer.Run(te, options whole.Path 2 0.0001)
            Expect.equal [ for m in b.Metrics -> m.TrainLoss ] [ for m in e.Metrics -> m.TrainLoss ] "the resumed run's losses are an uninterrupted channels-last run's"
            // The same arithmetic in another memory order, equal up to summation order: the first epoch's loss agrees
            // to about 1e-4. Later epochs are not compared: this tiny BN network amplifies rounding within a few steps
            // (PyTorch 1.13 on the CPU does the same: torchvision's resnet50 at 32 px, batch 8, SGD at lr 1e-4, NCHW
            // against channels_last, weights 1.6x apart after six steps).
            Expect.floatClose { absolute = 1e-4; relative = 1e-3 } b.Metrics[0].TrainLoss a.Metrics[0].TrainLoss "epoch 1 loss"
            let netD, td = task data
            use _ = netD
            expectInputError [ "checkpoint.ckpt"; "dtype or layout" ] (fun () -> Trainer.Run(td, optionsWith cl.Path 2 0.0001 true 11L))

        testCase "state.json has snake_case keys, and a checkpoint written with the old PascalCase keys still reads" <| fun () ->
            use dir = new TempDir()
            use data = planted 4 4 32 0.5 5UL
            let net, t = task data
            use _ = net
            Trainer.Run(t, options dir.Path 1 0.01) |> ignore
            let ckpt = dir.File "checkpoint.ckpt"
            let stateJson () =
                use zip = System.IO.Compression.ZipFile.OpenRead ckpt
                use r = new StreamReader(zip.GetEntry("state.json").Open())
                r.ReadToEnd()
            let text = stateJson ()
            for key in [ "\"task\""; "\"global_step\""; "\"options_json\""; "\"input_size\"" ] do
                Expect.stringContains text key "snake_case key"
            Expect.isFalse (text.Contains "\"GlobalStep\"") "no PascalCase key"
            // Rewrite state.json as an older FaceBrain wrote it.
            let pascal = System.Text.Json.JsonSerializerOptions()
            pascal.Converters.Add(System.Text.Json.Serialization.JsonStringEnumConverter())
            let legacy: string = System.Text.Json.JsonSerializer.Serialize<CheckpointInfo>(Checkpoint.ReadInfo ckpt, pascal)
            do
                use zip = System.IO.Compression.ZipFile.Open(ckpt, System.IO.Compression.ZipArchiveMode.Update)
                zip.GetEntry("state.json").Delete()
                use w = new StreamWriter(zip.CreateEntry("state.json").Open())
                w.Write(legacy)
            Expect.stringContains (stateJson ()) "\"GlobalStep\"" "the legacy layout"
            let info = Checkpoint.ReadInfo ckpt
            Expect.equal (info.Task, info.Epoch, info.Model) ("identity", 1, spec) "read back"
    ]

[<Tests>]
let siameseTests =
    testSequencedGroup "torch-global-state" <| testList "Training.SiameseTask" [
        for loss in [ FaceBrain.Models.Siamese.PairLoss.CrossEntropy; FaceBrain.Models.Siamese.PairLoss.Contrastive ] do
            testCase $"a small Siamese net verifies unseen planted identities well above chance ({loss})" <| fun () ->
                use dir = new TempDir()
                // 16 colour identities: 12 train, 4 unseen for the 10-fold evaluation
                use data = planted 16 8 16 0.3 21UL
                let isTrain i = data.LabelArray.[i] < 12L
                use train = data.Subset [| for i in 0 .. data.Count - 1 do if isTrain i then yield i |]
                use eval = data.Subset [| for i in 0 .. data.Count - 1 do if not (isTrain i) then yield i |]
                let pairs =
                    FaceBrain.Training.Siamese.PairSampler.Balanced(eval.LabelArray, 200, 3)
                    |> Array.mapi (fun k p -> FaceBrain.Training.Siamese.EvalPair(p.A, p.B, p.Same, k % 10))
                let spec = ModelSpec(ModelKind.Siamese, Width = 4, InputSize = 16, EmbeddingDim = 8, SiameseBlocks = 2, PairLoss = loss)
                use net = Network.Create(spec, cpu (), seed = 4L)
                let t = FaceBrain.Training.Siamese.SiameseTask(net, train, 128, eval, pairs, Augmentation.None, cpu ())
                let o = TrainerOptions(3, 32, OptimizerSpec(OptimizerKind.AdamW, 0.01, 0.9, 0.0), ScheduleKind.Constant, 4L, dir.Path)
                let run = Trainer.Run(t, o)
                Expect.isLessThan run.Metrics.[2].TrainLoss run.Metrics.[0].TrainLoss "loss decreases"
                let v = t.LastVerification
                Expect.isGreaterThan v.Accuracy 0.75 "10-fold accuracy on unseen identities (chance 0.5)"
                Expect.isGreaterThan v.Auc 0.8 "AUC"
    ]
