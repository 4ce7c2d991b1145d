return FaceBrain.Cli.FaceBrainApp.Run(args);
